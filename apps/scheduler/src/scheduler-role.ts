import type { Database } from '@gridbot/db';
import {
  CONSUMER_SETTINGS,
  type PipelineQueues,
  type QueueTransport,
  SYSTEM_QUEUE,
  TASKS_QUEUE,
  type TransportWorker,
  tasksChangedChannel,
} from '@gridbot/queue';
import type { Logger, ServiceMetrics } from '@gridbot/service';
import type { Job } from 'bullmq';
import type { Kysely } from 'kysely';
import { sweep } from './sweeper.ts';
import { SystemJobKeeper } from './system-job-keeper.ts';
import { TaskReconciler } from './task-reconciler.ts';

/** A system job's work, by job name. */
export type SystemJobs = Record<string, (job: Job) => Promise<unknown>>;

export interface SchedulerRoleOptions {
  db: Kysely<Database>;
  queues: PipelineQueues;
  /** Carries the system jobs, and the task-change announcements. */
  transport: QueueTransport;
  prefix: string;
  sweepIntervalMs: number;
  outboxGraceMs: number;
  staleInstanceMs: number;
  /** Whether a lease holder (an instance id) still runs. */
  isOwnerAlive?: (owner: string) => Promise<boolean>;
  reconcileIntervalMs: number;
  /** How often the system job schedulers are checked in Redis (re-created when missing). */
  keeperIntervalMs?: number;
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
  #worker: TransportWorker | null = null;
  #unsubscribe: (() => Promise<void>) | null = null;
  #stopWatchingTransport: (() => void) | null = null;
  #timers: NodeJS.Timeout[] = [];
  #keeper: SystemJobKeeper | null = null;
  readonly #onReconnect = () => {
    this.#keeper
      ?.check()
      .catch((error: Error) =>
        this.#o.logger.warn({ err: error }, 'system job check after reconnect failed'),
      );
  };

  constructor(options: SchedulerRoleOptions) {
    this.#o = options;
    this.reconciler = new TaskReconciler(
      options.db,
      options.queues.queue(TASKS_QUEUE),
      options.logger.child({ component: 'tasks' }),
    );
  }

  async start(): Promise<void> {
    const { logger, transport, prefix } = this.#o;
    this.#unsubscribe = await transport.pubsub.subscribe(tasksChangedChannel(prefix), (message) => {
      if (!/^\d+$/.test(message)) return;
      this.reconciler
        .reconcile(Number(message))
        .catch((error: Error) =>
          logger.warn({ err: error, taskId: message }, 'task reconcile failed'),
        );
    });
    const counts = await this.reconciler.reconcileAll();
    logger.info(counts, 'task schedules reconciled');
    this.#every(this.#o.reconcileIntervalMs, 'reconcile', async () => {
      await this.reconciler.reconcileAll();
    });

    const keeper = new SystemJobKeeper({
      queue: this.#o.queues.queue(SYSTEM_QUEUE),
      schedules: [
        { id: 'sweeper', name: 'sweep', repeat: { every: this.#o.sweepIntervalMs } },
        ...Object.entries(this.#o.daily ?? {}).map(([name, job]) => ({
          id: name,
          name,
          repeat: { pattern: job.pattern, tz: 'UTC' },
        })),
      ],
      // Redis lost its data: the task schedulers went with it. Bring them back now rather
      // than at the next full reconciliation (missed slots follow each task's misfire policy).
      onLoss: async () => {
        const restored = await this.reconciler.reconcileAll();
        logger.warn(restored, 'task schedules restored after Redis lost its data');
        // Every delivery job went too: requeue every unsent reply now, not after the grace.
        await this.#sweep(0);
      },
      logger,
    });
    await keeper.install();
    this.#keeper = keeper;
    this.#every(
      this.#o.keeperIntervalMs ?? Math.min(this.#o.sweepIntervalMs, 5_000),
      'system job check',
      async () => {
        await keeper.check();
      },
    );
    this.#stopWatchingTransport = transport.onReconnect(this.#onReconnect);
    const jobs: SystemJobs = {
      sweep: () => this.#sweep(this.#o.outboxGraceMs),
      ...Object.fromEntries(
        Object.entries(this.#o.daily ?? {}).map(([name, job]) => [name, job.run]),
      ),
    };
    const worker = transport.createWorker(
      SYSTEM_QUEUE,
      async (job) => {
        const run = jobs[job.name];
        if (!run) return `unknown system job ${job.name}`;
        return run(job);
      },
      { concurrency: 1, ...CONSUMER_SETTINGS },
    );
    worker.on('completed', () => this.#o.metrics.jobsProcessed.inc({ queue: SYSTEM_QUEUE }));
    worker.on('failed', (job, error) => {
      this.#o.metrics.jobsFailed.inc({ queue: SYSTEM_QUEUE });
      logger.error({ err: error, job: job?.name }, 'system job failed');
    });
    worker.on('error', (error) => logger.error({ err: error }, 'system worker error'));
    this.#worker = worker;
  }

  /** One sweep; `outboxGraceMs` 0 requeues every unsent reply (their jobs are known lost). */
  #sweep(outboxGraceMs: number): Promise<Record<string, number>> {
    return sweep({
      db: this.#o.db,
      queues: this.#o.queues,
      outboxGraceMs,
      staleInstanceMs: this.#o.staleInstanceMs,
      ...(this.#o.isOwnerAlive && { isOwnerAlive: this.#o.isOwnerAlive }),
      logger: this.#o.logger,
    });
  }

  /** Runs `fn` every `ms` from the process (not from Redis), logging failures. */
  #every(ms: number, what: string, fn: () => Promise<void>): void {
    const timer = setInterval(() => {
      fn().catch((error: Error) => this.#o.logger.warn({ err: error }, `${what} failed`));
    }, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  /** Stops the jobs and the subscription; safe to call twice. */
  async stop(): Promise<void> {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    this.#stopWatchingTransport?.();
    this.#stopWatchingTransport = null;
    this.#keeper = null;
    const worker = this.#worker;
    this.#worker = null;
    await worker?.close();
    await this.#unsubscribe?.().catch(() => {});
    this.#unsubscribe = null;
  }
}
