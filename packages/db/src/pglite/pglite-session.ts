import { EventEmitter } from 'node:events';
import type { PGlite } from '@electric-sql/pglite';

/** A query's result in node-postgres' shape (what BullMQ and the pub/sub read). */
// biome-ignore lint/suspicious/noExplicitAny: rows are typed by the caller, as with pg
export interface PgLikeResult<R = any> {
  rows: R[];
  rowCount: number;
}

/**
 * The one session of an embedded database, shared by everything in the process. PGlite
 * is a single connection: a transaction's statements must run with no other caller's in
 * between, so every user takes turns through {@link exclusive} — a Kysely transaction for
 * its whole length, any other statement for its own.
 */
export class PgliteSession {
  readonly db: PGlite;
  readonly #notifications = new EventEmitter();
  #tail: Promise<unknown> = Promise.resolve();

  constructor(db: PGlite) {
    this.db = db;
    this.#notifications.setMaxListeners(0);
    db.onNotification((channel, payload) =>
      this.#notifications.emit('notification', { channel, payload }),
    );
  }

  /** Runs `fn` alone on the session: callers wait their turn, in order. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Takes the session until the returned function is called (a transaction's span). */
  async hold(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const turn = new Promise<void>((resolve) => {
      entered = resolve;
    });
    void this.exclusive(() => {
      entered();
      return released;
    });
    await turn;
    return release;
  }

  /**
   * One statement as node-postgres runs it: with parameters through the extended protocol,
   * without them as a simple query (which may hold several statements; the last answers).
   * Call it only while holding the session.
   */
  async run<R>(text: string, params?: readonly unknown[]): Promise<PgLikeResult<R>> {
    if (params && params.length > 0) {
      const result = await this.db.query<R>(text, [...params]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    }
    const results = await this.db.exec(text);
    const last = results.at(-1);
    return {
      rows: (last?.rows ?? []) as R[],
      rowCount: last?.affectedRows ?? last?.rows.length ?? 0,
    };
  }

  /** Receives every notification the session gets (`LISTEN` decides which). */
  onNotification(listener: (note: { channel: string; payload: string }) => void): () => void {
    this.#notifications.on('notification', listener);
    return () => this.#notifications.off('notification', listener);
  }

  close(): Promise<void> {
    return this.exclusive(() => this.db.close());
  }
}
