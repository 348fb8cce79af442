import { THREADS_QUEUE } from '@gridbot/queue';
import type { Logger, ServiceMetrics } from '@gridbot/service';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DrainProcessor } from './drain-processor.ts';

export interface WorkerRoleOptions {
  processor: DrainProcessor;
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** Lock duration of a job; BullMQ renews it while the run is alive. */
  lockDurationMs?: number;
  logger: Logger;
  metrics: ServiceMetrics;
}

/** Consumes the `threads` queue with the drain processor. */
export class WorkerRole {
  readonly #o: WorkerRoleOptions;
  #worker: Worker | null = null;

  constructor(options: WorkerRoleOptions) {
    this.#o = options;
  }

  start(): void {
    const { connection, prefix, concurrency, logger, metrics, processor } = this.#o;
    const worker = new Worker(THREADS_QUEUE, (job, token) => processor.process(job, token), {
      connection,
      prefix,
      concurrency,
      lockDuration: this.#o.lockDurationMs ?? 60_000,
    });
    worker.on('completed', () => metrics.jobsProcessed.inc({ queue: THREADS_QUEUE }));
    worker.on('failed', () => metrics.jobsFailed.inc({ queue: THREADS_QUEUE }));
    worker.on('error', (error) => logger.error({ err: error }, 'threads worker error'));
    this.#worker = worker;
    logger.info({ concurrency }, 'worker consuming threads');
  }

  /** Stops taking jobs and waits for the runs in flight; safe to call twice. */
  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    await worker?.close();
  }
}
