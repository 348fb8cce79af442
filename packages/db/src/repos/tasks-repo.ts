import type { Kysely, Selectable, Updateable } from 'kysely';
import type { Database, ScheduledTasksTable } from '../database.ts';

export type ScheduledTask = Selectable<ScheduledTasksTable>;

export interface NewTaskInput {
  threadId: number;
  prompt: string;
  scheduleKind: 'cron' | 'interval' | 'once';
  scheduleValue: string;
  timezone: string | null;
  contextMode: 'group' | 'isolated';
  misfirePolicy: 'skip' | 'run-once';
  nextRunAt: Date | null;
  createdBy: string;
  /** The person whose run scheduled it (their defaults apply to its firings), if any. */
  ownerUserId?: number | null;
}

export async function insertTask(
  db: Kysely<Database>,
  input: NewTaskInput,
): Promise<ScheduledTask> {
  return db
    .insertInto('scheduled_tasks')
    .values({
      thread_id: input.threadId,
      prompt: input.prompt,
      schedule_kind: input.scheduleKind,
      schedule_value: input.scheduleValue,
      timezone: input.timezone,
      context_mode: input.contextMode,
      misfire_policy: input.misfirePolicy,
      next_run_at: input.nextRunAt,
      created_by: input.createdBy,
      owner_user_id: input.ownerUserId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Inserts a task unless its thread already has `max` tasks that are active or paused (a
 * paused one may be resumed); null then. The thread's row is locked for the count, so
 * concurrent requests cannot pass the cap together.
 */
export async function insertTaskWithinCap(
  db: Kysely<Database>,
  input: NewTaskInput,
  max: number,
): Promise<ScheduledTask | null> {
  return db.transaction().execute(async (trx) => {
    await trx
      .selectFrom('threads')
      .select('id')
      .where('id', '=', input.threadId)
      .forUpdate()
      .execute();
    const { count } = await trx
      .selectFrom('scheduled_tasks')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('thread_id', '=', input.threadId)
      .where('status', 'in', ['active', 'paused'])
      .executeTakeFirstOrThrow();
    if (Number(count) >= max) return null;
    return insertTask(trx, input);
  });
}

export async function findTask(
  db: Kysely<Database>,
  id: number,
): Promise<ScheduledTask | undefined> {
  return db.selectFrom('scheduled_tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A thread's tasks that are not cancelled, oldest first. */
export async function listTasks(db: Kysely<Database>, threadId: number): Promise<ScheduledTask[]> {
  return db
    .selectFrom('scheduled_tasks')
    .selectAll()
    .where('thread_id', '=', threadId)
    .where('status', '!=', 'cancelled')
    .orderBy('id')
    .execute();
}

export async function updateTask(
  db: Kysely<Database>,
  id: number,
  changes: Updateable<ScheduledTasksTable>,
): Promise<ScheduledTask> {
  return db
    .updateTable('scheduled_tasks')
    .set({ ...changes, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Records that a task fired at `at`: a once-task is completed; a repeating one gets its
 * next run (`next`, null when its schedule has none).
 */
export async function recordTaskFired(
  db: Kysely<Database>,
  taskId: number,
  fired: { at: Date; once: boolean; next: Date | null },
): Promise<void> {
  await db
    .updateTable('scheduled_tasks')
    .set({
      ...(fired.once && { status: 'completed' as const }),
      last_run_at: fired.at,
      next_run_at: fired.once ? null : fired.next,
      updated_at: new Date(),
    })
    .where('id', '=', taskId)
    .execute();
}
