import { type BehaviourConfig, nextRun, scheduleFromColumns } from '@gridbot/core';
import type { Database, Message, ScheduledTask, Thread } from '@gridbot/db';
import type { Logger } from '@gridbot/service';
import { type Kysely, sql } from 'kysely';
import type { RunPlan } from './run-plan.ts';

/** A firing later than this after its slot counts as missed (the system was down). */
export const MISFIRE_GRACE_MS = 60_000;

export interface TaskPlanInput {
  db: Kysely<Database>;
  misfireGraceMs: number;
  task: ScheduledTask;
  /** The slot the firing is for (ms since epoch). */
  slot: number;
  thread: Thread;
  config: BehaviourConfig;
  log: Logger;
  /** True when the thread may not run now (e.g. its token budget is spent). */
  skip: (pending: Message[]) => Promise<boolean>;
  now?: number;
}

/** The task's prompt as the new message of its run. */
function promptMessage(task: ScheduledTask, thread: Thread): Message {
  return {
    id: 0,
    thread_id: thread.id,
    platform_message_id: `task-${task.id}`,
    sender_id: null,
    sender_name: 'Scheduled task',
    role: 'user',
    content: task.prompt,
    reply_to: null,
    triggers: false,
    sent_at: new Date(),
    edited_at: null,
    metadata: {},
    created_at: new Date(),
  };
}

/**
 * One firing of a task, once per slot: records its `task_runs` row (a slot already recorded
 * by another firing is not run again), applies the misfire policy to late slots, and plans
 * a run of the prompt in the thread (`group`) or without its history (`isolated`). The
 * result is posted to the thread either way.
 */
export async function planTask(input: TaskPlanInput): Promise<RunPlan | string> {
  const { db, task, slot, log } = input;
  if (task.status !== 'active') return `task is ${task.status}`;
  const now = input.now ?? Date.now();
  const late = now - slot > input.misfireGraceMs;
  const claimed = await db
    .insertInto('task_runs')
    .values({
      task_id: task.id,
      run_at: new Date(slot),
      status: late && task.misfire_policy === 'skip' ? 'skipped' : 'running',
      ...(late &&
        task.misfire_policy === 'skip' && {
          finished_at: new Date(),
          result_summary: 'missed slot skipped',
        }),
    })
    .onConflict((oc) => oc.columns(['task_id', 'run_at']).doNothing())
    .returning('id')
    .executeTakeFirst();
  // A firing of this slot still marked running died with its worker: this job (BullMQ
  // handed it back, or the sweeper) holds the thread's lease now, so no firing of the slot
  // is live anywhere, and the slot is run again rather than lost.
  const claim = claimed ?? (await reclaimDeadFiring(db, task.id, slot));
  if (!claim) return 'slot already fired';
  await advanceSchedule(db, task, now);
  if (late && task.misfire_policy === 'skip') {
    // A reclaimed row was inserted as running; the insert above already marks a new one.
    if (!claimed) await finishTaskRun(db, claim.id, 'skipped', 'missed slot skipped', null);
    log.info({ taskId: task.id, slot: new Date(slot).toISOString() }, 'missed slot skipped');
    return 'missed slot skipped';
  }
  const pending = [promptMessage(task, input.thread)];
  if (await input.skip(pending)) {
    await finishTaskRun(db, claim.id, 'skipped', 'token budget spent', null);
    return 'over budget';
  }
  const started = Date.now();
  return {
    trigger: 'task',
    pending,
    decisions: [],
    isolated: task.context_mode === 'isolated',
    onCommitted: async (reply, runId) => {
      await finishTaskRun(
        db,
        claim.id,
        'succeeded',
        reply?.slice(0, 500) ?? null,
        null,
        runId,
        Date.now() - started,
      );
    },
    onFailed: async (error, runId) => {
      await finishTaskRun(
        db,
        claim.id,
        'failed',
        null,
        error.message.slice(0, 1000),
        runId,
        Date.now() - started,
      );
    },
  };
}

/** Takes over a firing of the slot left running by a dead worker; undefined if none. */
async function reclaimDeadFiring(
  db: Kysely<Database>,
  taskId: number,
  slot: number,
): Promise<{ id: number } | undefined> {
  return db
    .updateTable('task_runs')
    .set({ started_at: sql<Date>`now()` })
    .where('task_id', '=', taskId)
    .where('run_at', '=', new Date(slot))
    .where('status', '=', 'running')
    .returning('id')
    .executeTakeFirst();
}

/** Records when the task last fired and when it fires next; a once-task is then completed. */
async function advanceSchedule(
  db: Kysely<Database>,
  task: ScheduledTask,
  now: number,
): Promise<void> {
  if (task.schedule_kind === 'once') {
    await db
      .updateTable('scheduled_tasks')
      .set({
        status: 'completed',
        last_run_at: new Date(now),
        next_run_at: null,
        updated_at: new Date(),
      })
      .where('id', '=', task.id)
      .execute();
    return;
  }
  let next: Date | null = null;
  try {
    next = nextRun(
      scheduleFromColumns(task.schedule_kind, task.schedule_value),
      task.timezone ?? 'UTC',
      new Date(now),
    );
  } catch {
    next = null;
  }
  await db
    .updateTable('scheduled_tasks')
    .set({ last_run_at: new Date(now), next_run_at: next, updated_at: sql<Date>`now()` })
    .where('id', '=', task.id)
    .execute();
}

async function finishTaskRun(
  db: Kysely<Database>,
  id: number,
  status: 'succeeded' | 'failed' | 'skipped',
  summary: string | null,
  error: string | null,
  runId: number | null = null,
  durationMs: number | null = null,
): Promise<void> {
  await db
    .updateTable('task_runs')
    .set({
      status,
      result_summary: summary,
      error,
      run_id: runId,
      finished_at: new Date(),
      duration_ms: durationMs,
    })
    .where('id', '=', id)
    .execute();
}
