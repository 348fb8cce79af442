import { type Kysely, sql } from 'kysely';
import type { Database } from '../database.ts';

/**
 * Claims one firing of a task's slot: inserts its `task_runs` row (running, or already
 * skipped when `skipped` says why) unless the slot is recorded; undefined when it is.
 */
export async function claimTaskSlot(
  db: Kysely<Database>,
  input: { taskId: number; slot: Date; skipped: string | null },
): Promise<{ id: number } | undefined> {
  return db
    .insertInto('task_runs')
    .values({
      task_id: input.taskId,
      run_at: input.slot,
      status: input.skipped ? 'skipped' : 'running',
      ...(input.skipped && { finished_at: new Date(), result_summary: input.skipped }),
    })
    .onConflict((oc) => oc.columns(['task_id', 'run_at']).doNothing())
    .returning('id')
    .executeTakeFirst();
}

/** Takes over a firing of the slot left running (by a dead worker); undefined if none. */
export async function reclaimTaskSlot(
  db: Kysely<Database>,
  taskId: number,
  slot: Date,
): Promise<{ id: number } | undefined> {
  return db
    .updateTable('task_runs')
    .set({ started_at: sql<Date>`now()` })
    .where('task_id', '=', taskId)
    .where('run_at', '=', slot)
    .where('status', '=', 'running')
    .returning('id')
    .executeTakeFirst();
}

export interface TaskRunEnd {
  status: 'succeeded' | 'failed' | 'skipped';
  summary: string | null;
  error: string | null;
  runId?: number | null;
  durationMs?: number | null;
}

/** Records how a firing ended. */
export async function finishTaskRun(
  db: Kysely<Database>,
  id: number,
  end: TaskRunEnd,
): Promise<void> {
  await db
    .updateTable('task_runs')
    .set({
      status: end.status,
      result_summary: end.summary,
      error: end.error,
      run_id: end.runId ?? null,
      finished_at: new Date(),
      duration_ms: end.durationMs ?? null,
    })
    .where('id', '=', id)
    .execute();
}
