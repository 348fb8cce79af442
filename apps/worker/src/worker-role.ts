import {
  CONSUMER_SETTINGS,
  type QueueTransport,
  TASKS_QUEUE,
  THREADS_QUEUE,
  type TransportWorker,
} from '@gridbot/queue';
import type { Logger, ServiceMetrics } from '@gridbot/service';
import type { Job } from 'bullmq';
import type { DrainProcessor } from './drain-processor.ts';

export interface WorkerRoleOptions {
  processor: DrainProcessor;
  transport: QueueTransport;
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
  /** What answers, for the start message: e.g. `echo (offline)` and `docker (isolated)`. */
  summary?: { model: string; agents: string };
}

/** Consumes the `threads` queue with the drain processor. */
export class WorkerRole {
  readonly #o: WorkerRoleOptions;
  #workers: TransportWorker[] = [];

  constructor(options: WorkerRoleOptions) {
    this.#o = options;
  }

  get summary(): { model: string; agents: string } {
    return this.#o.summary ?? { model: 'unknown', agents: 'unknown' };
  }

  start(): void {
    const { processor, logger, concurrency } = this.#o;
    this.#workers = [
      this.#consume(THREADS_QUEUE, (job, token) => processor.process(job, token)),
      this.#consume(TASKS_QUEUE, (job, token) => processor.processTask(job, token)),
    ];
    logger.info({ concurrency }, 'worker consuming threads and tasks');
  }

  #consume(queue: string, handle: (job: Job, token?: string) => Promise<string>): TransportWorker {
    const { transport, concurrency, workerId, logger, metrics } = this.#o;
    const worker = transport.createWorker(queue, handle, {
      name: workerId,
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
