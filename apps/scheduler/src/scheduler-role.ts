import type { Database } from '@gridbot/db';
import {
  type PipelineQueues,
  SYSTEM_QUEUE,
  TASKS_QUEUE,
  tasksChangedChannel,
} from '@gridbot/queue';
import type { Logger, ServiceMetrics } from '@gridbot/service';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { sweep } from './sweeper.ts';
import { TaskReconciler } from './task-reconciler.ts';

/** A system job's work, by job name. */
export type SystemJobs = Record<string, (job: Job) => Promise<unknown>>;

export interface SchedulerRoleOptions {
  db: Kysely<Database>;
  queues: PipelineQueues;
  /** Blocking connection for the system-jobs worker. */
  connection: Redis;
  /** A connection the role turns into a subscriber for task changes. */
  subscriber: Redis;
  prefix: string;
  sweepIntervalMs: number;
  outboxGraceMs: number;
  staleInstanceMs: number;
  reconcileIntervalMs: number;
  /** Extra daily jobs (retention, backups) by name, with their cron pattern. */
  daily?: Record<string, { pattern: string; run: (job: Job) => Promise<unknown> }>;
  logger: Logger;
  metrics: ServiceMetrics;
}

/**
 * `gridbot scheduler`: keeps BullMQ job schedulers in step with `scheduled_tasks`, and owns
 * the system jobs (sweeper, and the daily ones). Several may run: BullMQ fires each slot of
 * a job scheduler once, whichever scheduler created it.
 */
export class SchedulerRole {
  readonly #o: SchedulerRoleOptions;
  readonly reconciler: TaskReconciler;
  #worker: Worker | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: SchedulerRoleOptions) {
    this.#o = options;
    this.reconciler = new TaskReconciler(
      options.db,
      options.queues.queue(TASKS_QUEUE),
      options.logger.child({ component: 'tasks' }),
    );
  }

  async start(): Promise<void> {
    const { logger, subscriber, prefix } = this.#o;
    const channel = tasksChangedChannel(prefix);
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel || !/^\d+$/.test(message)) return;
      this.reconciler
        .reconcile(Number(message))
        .catch((error: Error) =>
          logger.warn({ err: error, taskId: message }, 'task reconcile failed'),
        );
    });
    await subscriber.subscribe(channel);
    const counts = await this.reconciler.reconcileAll();
    logger.info(counts, 'task schedules reconciled');
    this.#timer = setInterval(() => {
      this.reconciler
        .reconcileAll()
        .catch((error: Error) => logger.warn({ err: error }, 'reconcile failed'));
    }, this.#o.reconcileIntervalMs);
    this.#timer.unref();

    const system = this.#o.queues.queue(SYSTEM_QUEUE);
    await system.upsertJobScheduler(
      'sweeper',
      { every: this.#o.sweepIntervalMs },
      { name: 'sweep' },
    );
    for (const [name, job] of Object.entries(this.#o.daily ?? {})) {
      await system.upsertJobScheduler(name, { pattern: job.pattern, tz: 'UTC' }, { name });
    }
    const jobs: SystemJobs = {
      sweep: () =>
        sweep({
          db: this.#o.db,
          queues: this.#o.queues,
          outboxGraceMs: this.#o.outboxGraceMs,
          staleInstanceMs: this.#o.staleInstanceMs,
          logger,
        }),
      ...Object.fromEntries(
        Object.entries(this.#o.daily ?? {}).map(([name, job]) => [name, job.run]),
      ),
    };
    const worker = new Worker(
      SYSTEM_QUEUE,
      async (job) => {
        const run = jobs[job.name];
        if (!run) return `unknown system job ${job.name}`;
        return run(job);
      },
      { connection: this.#o.connection, prefix, concurrency: 1 },
    );
    worker.on('completed', () => this.#o.metrics.jobsProcessed.inc({ queue: SYSTEM_QUEUE }));
    worker.on('failed', (job, error) => {
      this.#o.metrics.jobsFailed.inc({ queue: SYSTEM_QUEUE });
      logger.error({ err: error, job: job?.name }, 'system job failed');
    });
    worker.on('error', (error) => logger.error({ err: error }, 'system worker error'));
    this.#worker = worker;
  }

  /** Stops the jobs and the subscription; safe to call twice. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    const worker = this.#worker;
    this.#worker = null;
    await worker?.close();
    this.#o.subscriber.disconnect();
  }
}
