import { type Processor, Queue, type Telemetry, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedisConnection, waitForRedis } from './redis-connection.ts';
import { RedisPubSub } from './redis-pubsub.ts';
import type {
  QueueTransport,
  TransportQueue,
  TransportWorker,
  TransportWorkerOptions,
} from './transport.ts';

export interface RedisTransportOptions {
  url: string;
  /** The install's BullMQ key prefix. */
  prefix: string;
  /** Connection name seen in `CLIENT LIST`, e.g. `gridbot-worker`. */
  connectionName: string;
  /** Connection errors (Redis away); they are retried, never thrown. */
  onError?: (error: Error) => void;
  /** BullMQ's telemetry (bullmq-otel) for every queue and worker, when traces are on. */
  telemetry?: Telemetry | undefined;
}

/**
 * BullMQ on Redis, with Redis pub/sub. Producers fail fast while Redis is away (callers
 * fall back on Postgres, where the work is); workers and the subscriber wait for it.
 */
export class RedisTransport implements QueueTransport {
  readonly kind = 'redis';
  /** Fails fast while Redis is away. */
  readonly producer: Redis;
  /** Waits for Redis; each BullMQ worker duplicates it. */
  readonly blocking: Redis;
  readonly pubsub: RedisPubSub;
  readonly #options: RedisTransportOptions;

  constructor(options: RedisTransportOptions) {
    this.#options = options;
    const { url, connectionName } = options;
    this.producer = createRedisConnection({ url, purpose: 'producer', connectionName });
    this.blocking = createRedisConnection({ url, purpose: 'worker', connectionName });
    const subscriber = this.blocking.duplicate({ connectionName: `${connectionName}-events` });
    for (const connection of [this.producer, this.blocking, subscriber])
      connection.on('error', (error: Error) => options.onError?.(error));
    this.pubsub = new RedisPubSub(this.producer, subscriber);
  }

  createQueue(name: string): TransportQueue {
    const { prefix, telemetry } = this.#options;
    return new Queue(name, { connection: this.producer, prefix, ...(telemetry && { telemetry }) });
  }

  createWorker(
    name: string,
    processor: Processor,
    options: TransportWorkerOptions,
  ): TransportWorker {
    return new Worker(name, processor, {
      ...options,
      connection: this.blocking,
      prefix: this.#options.prefix,
      ...(this.#options.telemetry && { telemetry: this.#options.telemetry }),
    });
  }

  async ping(): Promise<void> {
    await this.producer.ping();
  }

  waitReady(timeoutMs: number): Promise<void> {
    return waitForRedis(this.producer, timeoutMs);
  }

  onReconnect(listener: () => void): () => void {
    this.blocking.on('ready', listener);
    return () => this.blocking.off('ready', listener);
  }

  /** Queues with metadata under the prefix (a queue has it once used). */
  async queueNames(): Promise<string[]> {
    const { prefix } = this.#options;
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.producer.scan(
        cursor,
        'MATCH',
        `${prefix}:*:meta`,
        'COUNT',
        500,
      );
      cursor = next;
      for (const key of keys) {
        const name = key.slice(prefix.length + 1, -':meta'.length);
        if (name && !name.includes(':')) found.add(name);
      }
    } while (cursor !== '0');
    return [...found];
  }

  async close(): Promise<void> {
    await this.pubsub.close();
    this.producer.disconnect();
    this.blocking.disconnect();
  }
}
