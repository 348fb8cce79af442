import type { Logger } from '@gridbot/service';
import type { Queue, RepeatOptions } from 'bullmq';

/** One system job scheduler: the sweeper, retention, backups. */
export interface SystemSchedule {
  /** Job scheduler id. */
  id: string;
  /** Name of the jobs it fires: which system job runs. */
  name: string;
  repeat: Omit<RepeatOptions, 'key'>;
}

export interface SystemJobKeeperOptions {
  /** The system queue. */
  queue: Queue;
  schedules: SystemSchedule[];
  /** Called once each time schedules were found missing (Redis lost its data). */
  onLoss: () => Promise<void>;
  logger: Logger;
}

/** Finished system jobs kept for Bull Board; older ones are dropped so Redis does not grow. */
const KEEP = { removeOnComplete: { count: 50 }, removeOnFail: { count: 200 } };

/**
 * Keeps the system job schedulers in Redis. They are what recovery runs on (the sweeper
 * finds in Postgres whatever Redis lost), so they must not live only in Redis: the keeper
 * is owned by the process, checks them on a timer and whenever Redis reconnects, and
 * re-creates any that is missing, e.g. after Redis restarted without its data.
 */
export class SystemJobKeeper {
  readonly #o: SystemJobKeeperOptions;
  #checking: Promise<number> | null = null;

  constructor(options: SystemJobKeeperOptions) {
    this.#o = options;
  }

  /** Creates (or updates) every schedule; run at start. */
  async install(): Promise<void> {
    for (const schedule of this.#o.schedules) await this.#upsert(schedule);
  }

  /**
   * Re-creates the schedules Redis no longer has; resolves with how many. Concurrent calls
   * share one check.
   */
  check(): Promise<number> {
    this.#checking ??= this.#check().finally(() => {
      this.#checking = null;
    });
    return this.#checking;
  }

  async #check(): Promise<number> {
    const { queue, logger } = this.#o;
    const missing: string[] = [];
    for (const schedule of this.#o.schedules) {
      if (await queue.getJobScheduler(schedule.id)) continue;
      await this.#upsert(schedule);
      missing.push(schedule.id);
    }
    if (missing.length > 0) {
      logger.warn(
        { recreated: missing },
        'system jobs were missing from Redis (it lost its data?); re-created them',
      );
      await this.#o.onLoss();
    }
    return missing.length;
  }

  async #upsert(schedule: SystemSchedule): Promise<void> {
    await this.#o.queue.upsertJobScheduler(schedule.id, schedule.repeat, {
      name: schedule.name,
      opts: KEEP,
    });
  }
}
