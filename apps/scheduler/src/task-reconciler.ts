import { type Database, findTask } from '@gridbot/db';
import { scheduledTaskIds, syncTaskSchedule } from '@gridbot/queue';
import type { Logger } from '@gridbot/service';
import type { Queue } from 'bullmq';
import type { Kysely } from 'kysely';

/**
 * Keeps one BullMQ job scheduler per active task, and none for the others: fully at start
 * and periodically, and one task at a time when a change is announced.
 */
export class TaskReconciler {
  readonly #db: Kysely<Database>;
  readonly #queue: Queue;
  readonly #logger: Logger;

  constructor(db: Kysely<Database>, queue: Queue, logger: Logger) {
    this.#db = db;
    this.#queue = queue;
    this.#logger = logger;
  }

  /** Brings one task in step; a task that no longer exists loses its scheduler. */
  async reconcile(taskId: number): Promise<void> {
    const task = await findTask(this.#db, taskId);
    const outcome = await syncTaskSchedule(
      this.#queue,
      task ?? {
        id: taskId,
        status: 'cancelled',
        schedule_kind: 'interval',
        schedule_value: '0',
        timezone: null,
      },
    );
    this.#logger.debug({ taskId, outcome }, 'task schedule reconciled');
  }

  /** Every active task scheduled, every scheduler without an active task removed. */
  async reconcileAll(): Promise<{ active: number; removed: number }> {
    const active = await this.#db
      .selectFrom('scheduled_tasks')
      .select('id')
      .where('status', '=', 'active')
      .execute();
    const activeIds = new Set(active.map((t) => t.id));
    for (const { id } of active) await this.reconcile(id);
    let removed = 0;
    for (const id of await scheduledTaskIds(this.#queue)) {
      if (!activeIds.has(id)) {
        await this.reconcile(id);
        removed++;
      }
    }
    return { active: activeIds.size, removed };
  }
}
