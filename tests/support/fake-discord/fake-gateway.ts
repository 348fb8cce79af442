/**
 * The WebSocket half of the fake Discord: gateway v10, JSON encoding, no compression.
 * One session at a time (one bot, one shard). It speaks just enough of the protocol for
 * discord.js: HELLO → IDENTIFY → READY + GUILD_CREATE, heartbeats, and RESUME with replay
 * of the dispatches the client missed while disconnected.
 */
import type { Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { BOT_USER, GUILD, guildCreatePayload } from './discord-payloads.ts';

/** Gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
const OP = {
  dispatch: 0,
  heartbeat: 1,
  identify: 2,
  resume: 6,
  invalidSession: 9,
  hello: 10,
  heartbeatAck: 11,
} as const;
const AUTHENTICATION_FAILED = 4004;

interface LoggedDispatch {
  s: number;
  t: string;
  d: unknown;
  /** Sent over a socket; an undelivered one is replayed on RESUME or re-sent after IDENTIFY. */
  delivered: boolean;
}

interface Session {
  id: string;
  seq: number;
  log: LoggedDispatch[];
}

/** Options of a {@link FakeGateway}. */
export interface FakeGatewayOptions {
  /** The HTTP server to share (WebSocket upgrades on any path). */
  server: Server;
  /** Its own URL, given to clients as `resume_gateway_url`. */
  url: string;
  /** The token IDENTIFY and RESUME must carry; any token when null. */
  token: string | null;
  heartbeatIntervalMs: number;
  /** Close every IDENTIFY with this code (4004 bad token, 4014 disallowed intents); null to accept. */
  identifyCloseCode: number | null;
}

/** The gateway; {@link startFakeDiscord} owns one and exposes its test API. */
export class FakeGateway {
  /** Query of every connection, e.g. `v=10&encoding=json` (to check no compression is asked for). */
  readonly connections: URLSearchParams[] = [];
  /** IDENTIFY payloads received (token removed). */
  readonly identifies: Record<string, unknown>[] = [];
  /** Number of successful RESUMEs. */
  resumes = 0;

  readonly #options: FakeGatewayOptions;
  readonly #wss: WebSocketServer;
  /** The authenticated socket dispatches go to; null while the client is disconnected. */
  #live: WebSocket | null = null;
  #session: Session | null = null;
  /** Dispatches made before any session existed, sent after the first READY. */
  #pending: { t: string; d: unknown }[] = [];
  #waiters: (() => void)[] = [];
  #sessions = 0;

  constructor(options: FakeGatewayOptions) {
    this.#options = options;
    this.#wss = new WebSocketServer({ server: options.server });
    this.#wss.on('connection', (socket, request) => this.#accept(socket, request.url ?? '/'));
  }

  /** Whether a client is identified or resumed on an open socket right now. */
  get connected(): boolean {
    return this.#live !== null;
  }

  /** Resolves once a client is connected (at once if one is). */
  waitForConnection(): Promise<void> {
    if (this.#live !== null) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Sends a dispatch (`op` 0) with the next sequence number. While the client is
   * disconnected it is only logged, and replayed when the client resumes.
   */
  dispatch(t: string, d: unknown): void {
    const session = this.#session;
    if (session === null) {
      this.#pending.push({ t, d });
      return;
    }
    session.seq += 1;
    const entry: LoggedDispatch = { s: session.seq, t, d, delivered: false };
    session.log.push(entry);
    if (this.#live !== null) this.#deliver(this.#live, entry);
  }

  /** Closes the live socket with `code` (4000, "unknown error", makes discord.js resume). */
  drop(code = 4000): void {
    const socket = this.#live;
    this.#live = null;
    socket?.close(code, 'fake discord: connection dropped');
  }

  /** Closes every socket and stops accepting connections. */
  async close(): Promise<void> {
    this.#live = null;
    for (const socket of this.#wss.clients) socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(socket: WebSocket, url: string): void {
    this.connections.push(new URL(url, 'ws://fake').searchParams);
    this.#send(socket, {
      op: OP.hello,
      d: { heartbeat_interval: this.#options.heartbeatIntervalMs },
    });
    socket.on('message', (data) => {
      let payload: { op?: unknown; d?: unknown };
      try {
        payload = JSON.parse(String(data)) as typeof payload;
      } catch {
        socket.close(4002, 'decode error');
        return;
      }
      this.#receive(socket, payload.op, (payload.d ?? {}) as Record<string, unknown>);
    });
    socket.on('close', () => {
      if (this.#live === socket) this.#live = null;
    });
  }

  #receive(socket: WebSocket, op: unknown, d: Record<string, unknown>): void {
    const { token } = this.#options;
    if (op === OP.heartbeat) {
      this.#send(socket, { op: OP.heartbeatAck });
    } else if ((op === OP.identify || op === OP.resume) && token !== null && d.token !== token) {
      socket.close(AUTHENTICATION_FAILED, 'Authentication failed.');
    } else if (op === OP.identify && this.#options.identifyCloseCode !== null) {
      socket.close(this.#options.identifyCloseCode, 'fake discord: identify refused');
    } else if (op === OP.identify) {
      this.#identify(socket, d);
    } else if (op === OP.resume) {
      this.#resume(socket, d);
    }
  }

  /** A new session: READY (the guild unavailable), then GUILD_CREATE, then anything missed. */
  #identify(socket: WebSocket, d: Record<string, unknown>): void {
    const { token: _token, ...rest } = d;
    this.identifies.push(rest);
    const previous = this.#session;
    this.#sessions += 1;
    this.#session = { id: `fake-session-${this.#sessions}`, seq: 0, log: [] };
    this.#goLive(socket);
    this.dispatch('READY', {
      v: 10,
      user: { ...BOT_USER, discriminator: '0', avatar: null, verified: true, flags: 0 },
      guilds: [{ id: GUILD.id, unavailable: true }],
      session_id: this.#session.id,
      resume_gateway_url: this.#options.url,
      shard: [0, 1],
      application: { id: BOT_USER.id, flags: 0 },
    });
    this.dispatch('GUILD_CREATE', guildCreatePayload());
    const missed = [
      ...(previous?.log.filter((entry) => !entry.delivered && !isSessionEvent(entry.t)) ?? []),
      ...this.#pending,
    ];
    this.#pending = [];
    for (const entry of missed) this.dispatch(entry.t, entry.d);
  }

  /** Replays the dispatches after the client's last sequence number, then RESUMED. */
  #resume(socket: WebSocket, d: Record<string, unknown>): void {
    const session = this.#session;
    if (session === null || d.session_id !== session.id || typeof d.seq !== 'number') {
      this.#send(socket, { op: OP.invalidSession, d: false });
      return;
    }
    this.resumes += 1;
    this.#goLive(socket);
    const seq = d.seq;
    for (const entry of session.log) if (entry.s > seq) this.#deliver(socket, entry);
    this.dispatch('RESUMED', null);
  }

  #goLive(socket: WebSocket): void {
    if (this.#live !== null && this.#live !== socket) this.#live.close(4000, 'replaced');
    this.#live = socket;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  #deliver(socket: WebSocket, entry: LoggedDispatch): void {
    entry.delivered = true;
    this.#send(socket, { op: OP.dispatch, s: entry.s, t: entry.t, d: entry.d });
  }

  #send(socket: WebSocket, payload: Record<string, unknown>): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload));
  }
}

const isSessionEvent = (t: string): boolean =>
  t === 'READY' || t === 'RESUMED' || t === 'GUILD_CREATE';
