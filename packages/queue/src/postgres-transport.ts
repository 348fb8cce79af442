import {
  createPostgresBackend,
  type PgPool,
  type Processor,
  Queue,
  runMigrations,
  type Telemetry,
  Worker,
} from 'bullmq';
import pg from 'pg';
import { PostgresPubSub } from './postgres-pubsub.ts';
import type {
  QueueTransport,
  TransportQueue,
  TransportWorker,
  TransportWorkerOptions,
} from './transport.ts';

/** The schema of BullMQ's tables and functions (its backend requires this name on a pool of ours). */
export const BULLMQ_SCHEMA = 'bullmq';

export interface PostgresTransportOptions {
  /** A pool whose sessions use `search_path` bullmq (see {@link createBullmqPool}). */
  pool: PgPool;
  /** Whether `close` ends the pool (a pool made for the transport), or leaves it open. */
  ownsPool: boolean;
  /** BullMQ's telemetry (bullmq-otel) for every queue and worker, when traces are on. */
  telemetry?: Telemetry | undefined;
}

/**
 * A pg pool for BullMQ's PostgreSQL backend: its SQL names functions without a schema, so
 * every session's `search_path` is BullMQ's schema. Each BullMQ worker keeps one session
 * for `LISTEN`, and so does pub/sub; queries take the rest.
 */
export function createBullmqPool(options: {
  connectionString: string;
  applicationName: string;
  max?: number;
  onError?: (error: Error) => void;
}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    application_name: options.applicationName,
    max: options.max ?? 12,
    keepAlive: true,
    options: `-c search_path=${BULLMQ_SCHEMA}`,
  });
  pool.on('error', (error) => options.onError?.(error));
  return pool;
}

/**
 * BullMQ's PostgreSQL backend, and `LISTEN`/`NOTIFY` for pub/sub: jobs live with the data,
 * so Postgres is all a deployment needs. The key prefix has no meaning here (an install is
 * its database).
 */
export class PostgresTransport implements QueueTransport {
  readonly kind = 'postgres';
  readonly pool: PgPool;
  readonly pubsub: PostgresPubSub;
  readonly #ownsPool: boolean;

  readonly #telemetry: { telemetry?: Telemetry };

  private constructor(options: PostgresTransportOptions) {
    this.pool = options.pool;
    this.#telemetry = options.telemetry ? { telemetry: options.telemetry } : {};
    this.#ownsPool = options.ownsPool;
    this.pubsub = new PostgresPubSub(options.pool);
  }

  /**
   * Opens the transport, creating or upgrading BullMQ's schema first (idempotent, under an
   * advisory lock, so roles starting together do it once).
   */
  static async open(options: PostgresTransportOptions): Promise<PostgresTransport> {
    const client = await options.pool.connect();
    try {
      await runMigrations(client);
    } finally {
      client.release();
    }
    return new PostgresTransport(options);
  }

  createQueue(name: string): TransportQueue {
    return new Queue(name, { connection: this.pool, ...this.#telemetry }, createPostgresBackend);
  }

  createWorker(
    name: string,
    processor: Processor,
    options: TransportWorkerOptions,
  ): TransportWorker {
    return new Worker(
      name,
      processor,
      { ...options, connection: this.pool, ...this.#telemetry },
      createPostgresBackend,
    );
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await this.ping();
      } catch (error) {
        if (Date.now() >= deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  onReconnect(): () => void {
    return () => {};
  }

  async queueNames(): Promise<string[]> {
    const { rows } = await this.pool.query<{ queue: string }>(
      'select distinct queue from meta order by queue',
    );
    return rows.map((row) => row.queue);
  }

  async close(): Promise<void> {
    await this.pubsub.close();
    if (this.#ownsPool) await this.pool.end();
  }
}
