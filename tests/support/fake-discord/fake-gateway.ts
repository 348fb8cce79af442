/**
 * The WebSocket half of the fake Discord: gateway v10, JSON encoding, no compression.
 * One session at a time per shard. It speaks just enough of the protocol for discord.js:
 * HELLO → IDENTIFY → READY + GUILD_CREATE, heartbeats, and RESUME with replay of the
 * dispatches the client missed while disconnected. Sharding as Discord documents it: the
 * IDENTIFY's `shard: [id, count]` picks the session; a guild's events go to shard
 * `(guild_id >> 22) % count`, direct messages to shard 0.
 */
import type { Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { BOT_USER, GUILD, guildCreatePayload, SECOND_GUILD } from './discord-payloads.ts';

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

/** One shard's connection and session. */
interface Lane {
  /** The authenticated socket its dispatches go to; null while disconnected. */
  live: WebSocket | null;
  session: Session | null;
}

/** The guilds of the fake's world. */
const GUILDS = [GUILD.id, SECOND_GUILD.id];

/** The shard of a guild's events (Discord's formula); direct messages are shard 0's. */
export function shardOf(guildId: string | undefined, count: number): number {
  return guildId === undefined ? 0 : Number((BigInt(guildId) >> 22n) % BigInt(count));
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
  /** Each shard's lane, by shard id. */
  readonly #lanes = new Map<number, Lane>();
  /** The shard count of the latest IDENTIFY (1 until one says otherwise). */
  #shardCount = 1;
  /** Dispatches made before their shard had a session, sent after its READY. */
  #pending: { t: string; d: unknown }[] = [];
  #waiters: (() => void)[] = [];
  #sessions = 0;

  constructor(options: FakeGatewayOptions) {
    this.#options = options;
    this.#wss = new WebSocketServer({ server: options.server });
    this.#wss.on('connection', (socket, request) => this.#accept(socket, request.url ?? '/'));
  }

  /** Whether a client is identified or resumed on an open socket right now (any shard). */
  get connected(): boolean {
    return [...this.#lanes.values()].some((lane) => lane.live !== null);
  }

  /** The shards with a live connection now. */
  get liveShards(): number[] {
    return [...this.#lanes].filter(([, lane]) => lane.live !== null).map(([id]) => id);
  }

  /** Resolves once a client is connected (at once if one is). */
  waitForConnection(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Sends a dispatch (`op` 0) with the next sequence number of its shard's session. While
   * that shard is disconnected it is only logged, and replayed when the client resumes.
   */
  dispatch(t: string, d: unknown): void {
    const guildId = (d as { guild_id?: string } | null)?.guild_id;
    this.#dispatchOn(shardOf(guildId, this.#shardCount), t, d);
  }

  #dispatchOn(shard: number, t: string, d: unknown): void {
    const lane = this.#lanes.get(shard);
    const session = lane?.session ?? null;
    if (!lane || session === null) {
      this.#pending.push({ t, d });
      return;
    }
    session.seq += 1;
    const entry: LoggedDispatch = { s: session.seq, t, d, delivered: false };
    session.log.push(entry);
    if (lane.live !== null) this.#deliver(lane.live, entry);
  }

  /** Closes the live sockets with `code` (4000, "unknown error", makes discord.js resume). */
  drop(code = 4000): void {
    for (const lane of this.#lanes.values()) {
      const socket = lane.live;
      lane.live = null;
      socket?.close(code, 'fake discord: connection dropped');
    }
  }

  /** Closes every socket and stops accepting connections. */
  async close(): Promise<void> {
    for (const lane of this.#lanes.values()) lane.live = null;
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
      for (const lane of this.#lanes.values()) if (lane.live === socket) lane.live = null;
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

  /** A new session of the shard: READY (its guilds unavailable), GUILD_CREATE each, then anything missed. */
  #identify(socket: WebSocket, d: Record<string, unknown>): void {
    const { token: _token, ...rest } = d;
    this.identifies.push(rest);
    const [shard, count] = Array.isArray(d.shard) ? (d.shard as [number, number]) : [0, 1];
    this.#shardCount = count;
    const lane = this.#lane(shard);
    const previous = lane.session;
    this.#sessions += 1;
    lane.session = { id: `fake-session-${this.#sessions}`, seq: 0, log: [] };
    this.#goLive(lane, socket);
    const guilds = GUILDS.filter((id) => shardOf(id, count) === shard);
    this.#dispatchOn(shard, 'READY', {
      v: 10,
      user: { ...BOT_USER, discriminator: '0', avatar: null, verified: true, flags: 0 },
      guilds: guilds.map((id) => ({ id, unavailable: true })),
      session_id: lane.session.id,
      resume_gateway_url: this.#options.url,
      shard: [shard, count],
      application: { id: BOT_USER.id, flags: 0 },
    });
    for (const id of guilds) this.#dispatchOn(shard, 'GUILD_CREATE', guildCreatePayload(id));
    const missed =
      previous?.log.filter((entry) => !entry.delivered && !isSessionEvent(entry.t)) ?? [];
    for (const entry of missed) this.#dispatchOn(shard, entry.t, entry.d);
    // Dispatches waiting for a session: this shard's go now, the others keep waiting.
    const waiting = this.#pending;
    this.#pending = [];
    for (const entry of waiting) this.dispatch(entry.t, entry.d);
  }

  /** Replays the dispatches after the client's last sequence number, then RESUMED. */
  #resume(socket: WebSocket, d: Record<string, unknown>): void {
    const lane = [...this.#lanes.values()].find((l) => l.session?.id === d.session_id);
    const session = lane?.session ?? null;
    if (!lane || session === null || typeof d.seq !== 'number') {
      this.#send(socket, { op: OP.invalidSession, d: false });
      return;
    }
    this.resumes += 1;
    this.#goLive(lane, socket);
    const seq = d.seq;
    for (const entry of session.log) if (entry.s > seq) this.#deliver(socket, entry);
    const shard = [...this.#lanes].find(([, l]) => l === lane)![0];
    this.#dispatchOn(shard, 'RESUMED', null);
  }

  #lane(shard: number): Lane {
    let lane = this.#lanes.get(shard);
    if (!lane) {
      lane = { live: null, session: null };
      this.#lanes.set(shard, lane);
    }
    return lane;
  }

  #goLive(lane: Lane, socket: WebSocket): void {
    if (lane.live !== null && lane.live !== socket) lane.live.close(4000, 'replaced');
    lane.live = socket;
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
