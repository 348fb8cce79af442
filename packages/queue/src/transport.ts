import type { Processor, Queue, Worker, WorkerOptions } from 'bullmq';
import type { PubSub } from './pubsub.ts';

/** A BullMQ queue on whichever backend the mode chose. */
// biome-ignore lint/suspicious/noExplicitAny: job data is typed by each queue's zod schema; the backend by the mode
export type TransportQueue = Queue<any, any, string, any, any, string, any, any>;
/** A BullMQ worker on whichever backend the mode chose. */
// biome-ignore lint/suspicious/noExplicitAny: job data is typed by each queue's zod schema; the backend by the mode
export type TransportWorker = Worker<any, any, string, any, any, any>;

/** Worker settings a role chooses; the transport adds its connection. */
export type TransportWorkerOptions = Omit<WorkerOptions, 'connection' | 'prefix'>;

/**
 * What carries jobs and live events between GridBot's processes: BullMQ on Redis with
 * Redis pub/sub, or BullMQ's PostgreSQL backend with `LISTEN`/`NOTIFY`. Roles see only
 * this; the mode decides which one they get (see `DESIGN.md`, "Modes").
 */
export interface QueueTransport {
  readonly kind: 'redis' | 'postgres';
  readonly pubsub: PubSub;
  /** A producer-side BullMQ queue; the caller closes it. */
  createQueue(name: string): TransportQueue;
  /** A BullMQ worker on the queue; the caller closes it. */
  createWorker(
    name: string,
    processor: Processor,
    options: TransportWorkerOptions,
  ): TransportWorker;
  /** Resolves when the transport answers; rejects when it does not. */
  ping(): Promise<void>;
  /** Resolves once the transport answers, or rejects after `timeoutMs`. */
  waitReady(timeoutMs: number): Promise<void>;
  /**
   * Calls `listener` each time the transport (re)connects, until the returned function is
   * called: Redis may come back empty. The Postgres transport keeps its jobs with the
   * data, so it never calls it.
   */
  onReconnect(listener: () => void): () => void;
  /** Names of the queues that exist (for the operator's queue board). */
  queueNames(): Promise<string[]>;
  /** Closes the connections; queues and workers made from it are closed first. */
  close(): Promise<void>;
}
