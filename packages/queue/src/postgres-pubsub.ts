import { createHash, randomBytes } from 'node:crypto';
import type { PgNotification, PgPool, PgPoolClient } from 'bullmq';
import { ChannelHandlers, type PubSub, type PubSubHandler } from './pubsub.ts';

/** Postgres refuses a NOTIFY payload of this many bytes or more. */
const NOTIFY_PAYLOAD_LIMIT = 8_000;
/** Bytes of a message per NOTIFY, leaving room for the frame's header. */
const PART_BYTES = NOTIFY_PAYLOAD_LIMIT - 100;
/** A message in parts whose rest has not come within this long is dropped. */
const PARTS_TIMEOUT_MS = 10_000;

/**
 * Frames a message as NOTIFY payloads: `-|<message>` when it fits one, otherwise parts
 * `<id>|<index>/<count>|<piece>` (split on code points), sent in one statement so they
 * arrive together and in order.
 */
export function notifyFrames(message: string): string[] {
  if (Buffer.byteLength(message) <= PART_BYTES) return [`-|${message}`];
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const char of message) {
    const size = Buffer.byteLength(char);
    if (bytes + size > PART_BYTES) {
      pieces.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += char;
    bytes += size;
  }
  pieces.push(piece);
  const id = randomBytes(6).toString('hex');
  return pieces.map((p, i) => `${id}|${i}/${pieces.length}|${p}`);
}

/** Puts framed payloads back together; `receive` returns a whole message, or null. */
export class FrameAssembler {
  readonly #partial = new Map<string, { parts: string[]; got: number; at: number }>();

  receive(payload: string, now = Date.now()): string | null {
    if (payload.startsWith('-|')) return payload.slice(2);
    const match = /^([0-9a-f]+)\|(\d+)\/(\d+)\|/.exec(payload);
    if (!match) return null;
    const [header, id, index, count] = match as unknown as [string, string, string, string];
    for (const [key, entry] of this.#partial)
      if (now - entry.at > PARTS_TIMEOUT_MS) this.#partial.delete(key);
    let entry = this.#partial.get(id);
    if (!entry) {
      entry = { parts: new Array(Number(count)).fill(''), got: 0, at: now };
      this.#partial.set(id, entry);
    }
    entry.parts[Number(index)] = payload.slice(header.length);
    entry.got++;
    if (entry.got < entry.parts.length) return null;
    this.#partial.delete(id);
    return entry.parts.join('');
  }
}

/**
 * The Postgres channel for a pub/sub channel name: itself when it fits an identifier
 * (63 bytes), otherwise a hash of it.
 */
export function notifyChannel(name: string): string {
  if (Buffer.byteLength(name) <= 63) return name;
  return `gridbot_${createHash('sha1').update(name).digest('hex')}`;
}

const quoted = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/**
 * Pub/sub on Postgres `LISTEN`/`NOTIFY`: one pooled connection listens for this process
 * (taken on the first subscription); publishing is one statement on the pool, whatever
 * the message's size (see {@link notifyFrames}). A lost
 * listening connection is replaced, retried until Postgres answers, and listens again
 * to every channel that still has handlers.
 */
export class PostgresPubSub implements PubSub {
  readonly #pool: PgPool;
  readonly #onLost: (error: Error) => void;
  readonly #handlers: ChannelHandlers;
  readonly #assembler = new FrameAssembler();
  #client: PgPoolClient | null = null;
  #connecting: Promise<PgPoolClient> | null = null;
  #retry: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(pool: PgPool, onLost: (error: Error) => void = () => {}) {
    this.#pool = pool;
    this.#onLost = onLost;
    this.#handlers = new ChannelHandlers(
      async (channel) => {
        const client = await this.#connected();
        await client.query(`LISTEN ${quoted(channel)}`);
      },
      async (channel) => {
        await this.#client?.query(`UNLISTEN ${quoted(channel)}`);
      },
    );
  }

  /** Publishes; a message over NOTIFY's payload limit goes in parts, in one statement. */
  async publish(channel: string, message: string): Promise<void> {
    const frames = notifyFrames(message);
    const calls = frames.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ');
    await this.#pool.query(`select ${calls}`, [notifyChannel(channel), ...frames]);
  }

  subscribe(channel: string, handler: PubSubHandler): Promise<() => Promise<void>> {
    return this.#handlers.add(notifyChannel(channel), handler);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#handlers.clear();
    const client = this.#client ?? (await this.#connecting?.catch(() => null));
    this.#client = null;
    if (client) {
      client.removeAllListeners();
      await client.query('UNLISTEN *').catch(() => {});
      client.release();
    }
  }

  #connected(): Promise<PgPoolClient> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= (async () => {
      const client = await this.#pool.connect();
      client.on('notification', (note: PgNotification) => {
        const message = this.#assembler.receive(note.payload ?? '');
        if (message !== null) this.#handlers.dispatch(note.channel, message);
      });
      client.on('error', (error: Error) => this.#lost(client, error));
      this.#client = client;
      return client;
    })().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  #lost(client: PgPoolClient, error: Error): void {
    if (this.#client !== client) return;
    this.#client = null;
    client.removeAllListeners('notification');
    try {
      client.release(true);
    } catch {
      // Already released by the pool.
    }
    this.#onLost(error);
    this.#listenAgain(200);
  }

  /** A new listening connection for the channels that have handlers, once Postgres answers. */
  #listenAgain(delayMs: number): void {
    if (this.#closed || this.#retry) return;
    this.#retry = setTimeout(async () => {
      this.#retry = null;
      if (this.#closed) return;
      try {
        const client = await this.#connected();
        for (const channel of this.#handlers.channels())
          await client.query(`LISTEN ${quoted(channel)}`);
      } catch {
        this.#listenAgain(Math.min(delayMs * 2, 2_000));
      }
    }, delayMs);
    this.#retry.unref();
  }
}
