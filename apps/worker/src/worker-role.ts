import { CONSUMER_SETTINGS, TASKS_QUEUE, THREADS_QUEUE } from '@gridbot/queue';
import type { Logger, ServiceMetrics } from '@gridbot/service';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DrainProcessor } from './drain-processor.ts';

export interface WorkerRoleOptions {
  processor: DrainProcessor;
  connection: Redis;
  prefix: string;
  concurrency: number;
  /** This worker's instance id, stored on each job it takes (the sweeper checks it is alive). */
  workerId: string;
  /**
   * Lock duration of a job; BullMQ renews it at half that while the run is alive. A dead
   * worker's job is handed back within about this plus two stall checks.
   */
  lockDurationMs?: number;
  logger: Logger;
  metrics: ServiceMetrics;
}

/** Consumes the `threads` queue with the drain processor. */
export class WorkerRole {
  readonly #o: WorkerRoleOptions;
  #workers: Worker[] = [];

  constructor(options: WorkerRoleOptions) {
    this.#o = options;
  }

  start(): void {
    const { processor, logger, concurrency } = this.#o;
    this.#workers = [
      this.#consume(THREADS_QUEUE, (job, token) => processor.process(job, token)),
      this.#consume(TASKS_QUEUE, (job, token) => processor.processTask(job, token)),
    ];
    logger.info({ concurrency }, 'worker consuming threads and tasks');
  }

  #consume(queue: string, handle: (job: Job, token?: string) => Promise<string>): Worker {
    const { connection, prefix, concurrency, workerId, logger, metrics } = this.#o;
    const worker = new Worker(queue, handle, {
      name: workerId,
      connection,
      prefix,
      concurrency,
      ...CONSUMER_SETTINGS,
      ...(this.#o.lockDurationMs && { lockDuration: this.#o.lockDurationMs }),
    });
    worker.on('completed', () => metrics.jobsProcessed.inc({ queue }));
    worker.on('failed', () => metrics.jobsFailed.inc({ queue }));
    worker.on('error', (error) => logger.error({ err: error, queue }, 'queue worker error'));
    return worker;
  }

  /** Stops taking jobs and waits for the runs in flight; safe to call twice. */
  async stop(): Promise<void> {
    const workers = this.#workers;
    this.#workers = [];
    await Promise.all(workers.map((w) => w.close()));
  }
}
