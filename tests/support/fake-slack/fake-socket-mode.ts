/**
 * The Socket Mode half of the fake Slack: the WebSocket whose URL `apps.connections.open`
 * hands out. It speaks the protocol of the Socket Mode docs: `hello` on connect, envelopes
 * (`events_api`, `interactive`) with an `envelope_id` the client acknowledges by sending
 * `{ envelope_id }` back, server pings, and `disconnect` (reason `refresh_requested`) after
 * which the client opens a new connection. Envelopes not acknowledged when a connection
 * ends are delivered again on the next one, with `retry_attempt` raised, as Slack does.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { API_APP_ID } from './slack-payloads.ts';

interface Envelope {
  envelope_id: string;
  type: 'events_api' | 'interactive';
  payload: unknown;
  retry_attempt: number;
}

/** The Socket Mode endpoint of {@link startFakeSlack}. */
export class FakeSocketMode {
  /** Envelope ids the client acknowledged, in order. */
  readonly acks: string[] = [];
  /** Connections opened so far. */
  connections = 0;
  /** Tickets `apps.connections.open` issued; a connection must present one. */
  readonly #tickets = new Set<string>();
  readonly #wss: WebSocketServer;
  readonly #pending: Envelope[] = [];
  readonly #pingMs: number;
  #socket: WebSocket | null = null;
  #ping: NodeJS.Timeout | null = null;

  constructor(server: Server, pingMs: number) {
    this.#pingMs = pingMs;
    this.#wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      const ticket = new URL(req.url ?? '/', 'http://fake').searchParams.get('ticket');
      if (ticket === null || !this.#tickets.delete(ticket)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
    });
  }

  /** A one-use WebSocket URL for `apps.connections.open`. */
  issueUrl(base: string): string {
    const ticket = randomUUID();
    this.#tickets.add(ticket);
    return `${base.replace(/^http/, 'ws')}/link/?ticket=${ticket}&app_id=${API_APP_ID}`;
  }

  /** Whether a client is connected (said hello to). */
  get connected(): boolean {
    return this.#socket !== null;
  }

  /** Envelopes sent but not acknowledged yet. */
  get unacked(): number {
    return this.#pending.length;
  }

  /** Delivers an Events API body (or an interactive payload) in an envelope; returns its id. */
  deliver(payload: unknown, type: Envelope['type'] = 'events_api'): string {
    const envelope: Envelope = { envelope_id: randomUUID(), type, payload, retry_attempt: 0 };
    this.#pending.push(envelope);
    this.#send(envelope);
    return envelope.envelope_id;
  }

  /** Sends raw text over the socket (a malformed frame). */
  sendRaw(text: string): void {
    this.#socket?.send(text);
  }

  /** Asks the client to reconnect (`disconnect`, reason `refresh_requested`). */
  refresh(): void {
    this.#socket?.send(
      JSON.stringify({
        type: 'disconnect',
        reason: 'refresh_requested',
        debug_info: { host: 'fake-slack' },
      }),
    );
  }

  /** Drops the connection without warning. */
  drop(): void {
    this.#socket?.terminate();
  }

  async close(): Promise<void> {
    if (this.#ping) clearInterval(this.#ping);
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(ws: WebSocket): void {
    this.#socket?.terminate();
    this.#socket = ws;
    this.connections += 1;
    ws.on('message', (data) => this.#onMessage(String(data)));
    ws.on('close', () => {
      if (this.#socket === ws) this.#socket = null;
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'fake-slack', approximate_connection_time: 18060 },
        connection_info: { app_id: API_APP_ID },
      }),
    );
    if (this.#ping) clearInterval(this.#ping);
    this.#ping = setInterval(() => this.#socket?.ping('ping'), this.#pingMs);
    // What the last connection left unacknowledged comes again, marked as a retry.
    for (const envelope of this.#pending) {
      envelope.retry_attempt += 1;
      this.#send(envelope);
    }
  }

  #send(envelope: Envelope): void {
    this.#socket?.send(
      JSON.stringify({
        envelope_id: envelope.envelope_id,
        payload: envelope.payload,
        type: envelope.type,
        accepts_response_payload: false,
        retry_attempt: envelope.retry_attempt,
        retry_reason: envelope.retry_attempt > 0 ? 'timeout' : '',
      }),
    );
  }

  #onMessage(text: string): void {
    let message: { envelope_id?: unknown };
    try {
      message = JSON.parse(text) as { envelope_id?: unknown };
    } catch {
      return;
    }
    const index = this.#pending.findIndex((e) => e.envelope_id === message.envelope_id);
    if (index === -1) return;
    this.#pending.splice(index, 1);
    this.acks.push(String(message.envelope_id));
  }
}
