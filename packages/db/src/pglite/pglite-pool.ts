import { EventEmitter } from 'node:events';
import type { PgLikeResult, PgliteSession } from './pglite-session.ts';

/** A statement that opens or ends a transaction (a client holds the session in between). */
const BEGIN = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
const END = /^\s*(COMMIT|ROLLBACK|END|ABORT)\b\s*;?\s*$/i;
/** `LISTEN "x"` / `UNLISTEN "x"` / `UNLISTEN *`, as clients send them. */
const LISTEN = /^\s*(UN)?LISTEN\s+("(?:[^"]|"")+"|\*|[A-Za-z_][A-Za-z0-9_$]*)\s*;?\s*$/i;

/**
 * A pg-Pool look-alike over the embedded session, for BullMQ's PostgreSQL backend and the
 * pub/sub: each statement takes its turn on the session. Its "clients" share the session:
 * a client that sends BEGIN holds the session until its COMMIT or ROLLBACK (BullMQ's
 * migrations), and a client's `LISTEN` and `UNLISTEN` are counted per channel, so one
 * client leaving a channel does not deafen another that still listens to it.
 */
export class PglitePool extends EventEmitter {
  readonly session: PgliteSession;
  /** What BullMQ reads of a pg pool: long waits are fine, several clients may be taken. */
  readonly options = { keepAlive: true, max: 64 };
  readonly #listeners = new Map<string, number>();

  constructor(session: PgliteSession) {
    super();
    this.session = session;
  }

  // biome-ignore lint/suspicious/noExplicitAny: rows are typed by the caller, as with pg
  query<R = any>(text: string, params?: readonly unknown[]): Promise<PgLikeResult<R>> {
    return this.session.exclusive(() => this.session.run<R>(text, params));
  }

  async connect(): Promise<PglitePoolClient> {
    return new PglitePoolClient(this);
  }

  async end(): Promise<void> {}

  /** Counts a client's interest in a channel; the session listens while anyone does. */
  async listen(channel: string): Promise<void> {
    const count = this.#listeners.get(channel) ?? 0;
    this.#listeners.set(channel, count + 1);
    if (count === 0) await this.query(`LISTEN ${channel}`);
  }

  async unlisten(channel: string): Promise<void> {
    const count = this.#listeners.get(channel) ?? 0;
    if (count <= 1) {
      this.#listeners.delete(channel);
      if (count === 1) await this.query(`UNLISTEN ${channel}`);
    } else {
      this.#listeners.set(channel, count - 1);
    }
  }
}

/** A "connection" of the embedded pool: the shared session, seen through one client's eyes. */
export class PglitePoolClient extends EventEmitter {
  readonly #pool: PglitePool;
  readonly #channels = new Set<string>();
  readonly #stopNotifications: () => void;
  /** Set while this client's transaction holds the session. */
  #holding: (() => void) | null = null;
  #released = false;

  constructor(pool: PglitePool) {
    super();
    this.#pool = pool;
    this.#stopNotifications = pool.session.onNotification((note) => {
      if (this.#channels.has(normalize(note.channel))) this.emit('notification', note);
    });
  }

  // biome-ignore lint/suspicious/noExplicitAny: rows are typed by the caller, as with pg
  async query<R = any>(text: string, params?: readonly unknown[]): Promise<PgLikeResult<R>> {
    const session = this.#pool.session;
    if (this.#holding) {
      try {
        return await session.run<R>(text, params);
      } finally {
        if (END.test(text)) this.#endHold();
      }
    }
    if (BEGIN.test(text)) {
      this.#holding = await session.hold();
      try {
        return await session.run<R>(text, params);
      } catch (error) {
        this.#endHold();
        throw error;
      }
    }
    const listen = params && params.length > 0 ? null : LISTEN.exec(withoutComments(text));
    if (!listen) return this.#pool.query<R>(text, params);
    const [, un, target] = listen as unknown as [string, string | undefined, string];
    if (un && target === '*') {
      await this.#leaveAll();
    } else if (un) {
      const channel = normalize(target);
      if (this.#channels.delete(channel)) await this.#pool.unlisten(quote(channel));
    } else {
      const channel = normalize(target);
      if (!this.#channels.has(channel)) {
        this.#channels.add(channel);
        await this.#pool.listen(quote(channel));
      }
    }
    return { rows: [], rowCount: 0 };
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#stopNotifications();
    if (this.#holding) {
      // Released inside its transaction: roll it back before giving the session up.
      const session = this.#pool.session;
      void session
        .run('rollback')
        .catch(() => {})
        .finally(() => this.#endHold());
    }
    void this.#leaveAll().catch(() => {});
  }

  #endHold(): void {
    const release = this.#holding;
    this.#holding = null;
    release?.();
  }

  async #leaveAll(): Promise<void> {
    const channels = [...this.#channels];
    this.#channels.clear();
    for (const channel of channels) await this.#pool.unlisten(quote(channel));
  }
}

/** The statement without its SQL comments (BullMQ's own start with a comment block). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/--[^\n]*/g, '');
}

/** A channel as Postgres names it: a quoted identifier as written, an unquoted one folded. */
function normalize(identifier: string): string {
  if (identifier.startsWith('"')) return identifier.slice(1, -1).replaceAll('""', '"');
  return identifier.toLowerCase();
}

function quote(channel: string): string {
  return `"${channel.replaceAll('"', '""')}"`;
}
