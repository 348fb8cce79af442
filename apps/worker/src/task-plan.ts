import { type BehaviourConfig, nextRun, scheduleFromColumns } from '@gridbot/core';
import {
  claimTaskSlot,
  type Database,
  finishTaskRun,
  type Message,
  reclaimTaskSlot,
  recordTaskFired,
  type ScheduledTask,
  type Thread,
} from '@gridbot/db';
import type { Logger } from '@gridbot/service';
import type { Kysely } from 'kysely';
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
  skip: (pending: Message[], config: BehaviourConfig) => Promise<boolean>;
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
  const skip = late && task.misfire_policy === 'skip';
  const claimed = await claimTaskSlot(db, {
    taskId: task.id,
    slot: new Date(slot),
    skipped: skip ? 'missed slot skipped' : null,
  });
  // A firing of this slot still marked running died with its worker: this job (BullMQ
  // handed it back, or the sweeper) holds the thread's lease now, so no firing of the slot
  // is live anywhere, and the slot is run again rather than lost.
  const claim = claimed ?? (await reclaimTaskSlot(db, task.id, new Date(slot)));
  if (!claim) return 'slot already fired';
  await advanceSchedule(db, task, now);
  if (skip) {
    // A reclaimed row was inserted as running; the insert above already marks a new one.
    if (!claimed)
      await finishTaskRun(db, claim.id, {
        status: 'skipped',
        summary: 'missed slot skipped',
        error: null,
      });
    log.info({ taskId: task.id, slot: new Date(slot).toISOString() }, 'missed slot skipped');
    return 'missed slot skipped';
  }
  const pending = [promptMessage(task, input.thread)];
  if (await input.skip(pending, input.config)) {
    await finishTaskRun(db, claim.id, {
      status: 'skipped',
      summary: 'token budget spent',
      error: null,
    });
    return 'over budget';
  }
  const started = Date.now();
  return {
    trigger: 'task',
    pending,
    decisions: [],
    isolated: task.context_mode === 'isolated',
    config: input.config,
    userId: task.owner_user_id,
    onCommitted: async (reply, runId) => {
      await finishTaskRun(db, claim.id, {
        status: 'succeeded',
        summary: reply?.slice(0, 500) ?? null,
        error: null,
        runId,
        durationMs: Date.now() - started,
      });
    },
    onFailed: async (error, runId) => {
      await finishTaskRun(db, claim.id, {
        status: 'failed',
        summary: null,
        error: error.message.slice(0, 1000),
        runId,
        durationMs: Date.now() - started,
      });
    },
  };
}

/** Records the firing on the task: when it fired and when it fires next. */
async function advanceSchedule(
  db: Kysely<Database>,
  task: ScheduledTask,
  now: number,
): Promise<void> {
  let next: Date | null = null;
  if (task.schedule_kind !== 'once') {
    try {
      next = nextRun(
        scheduleFromColumns(task.schedule_kind, task.schedule_value),
        task.timezone ?? 'UTC',
        new Date(now),
      );
    } catch {
      next = null;
    }
  }
  await recordTaskFired(db, task.id, {
    at: new Date(now),
    once: task.schedule_kind === 'once',
    next,
  });
}
