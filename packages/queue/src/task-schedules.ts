import type { Queue } from 'bullmq';
import { z } from 'zod';
import type { PubSub } from './pubsub.ts';

/** The queue of task firings, consumed by workers. */
export const TASKS_QUEUE = 'tasks';
/** The queue of the scheduler's own jobs (sweeper, retention, backups). */
export const SYSTEM_QUEUE = 'system';

/** A firing of a scheduled task; `slot` is the time it fired for (ms since epoch). */
export const taskJobSchema = z.object({
  taskId: z.number().int().positive(),
  slot: z.number().int().optional(),
});
export type TaskJob = z.infer<typeof taskJobSchema>;

/** The BullMQ job scheduler id of a task (no `:`). */
export function taskSchedulerId(taskId: number): string {
  return `task-${taskId}`;
}

/** The job id of a once-task's single firing. */
export function onceJobId(taskId: number): string {
  return `task-${taskId}-once`;
}

/** What the scheduler needs of a task row to keep BullMQ in step with it. */
export interface TaskScheduleRow {
  id: number;
  status: string;
  schedule_kind: string;
  schedule_value: string;
  timezone: string | null;
  /** The slot the task fires for next, as the last firing recorded it. */
  next_run_at?: Date | null;
}

/** The job id of a firing for a slot that passed while the task had no job scheduler. */
export function missedSlotJobId(taskId: number, slot: number): string {
  return `task-${taskId}-missed-${slot}`;
}

/**
 * Makes BullMQ match one task: an active cron or interval task has a job scheduler
 * `task-<id>` (BullMQ fires each slot once, however many schedulers call this); an active
 * once-task has one delayed job; anything else has neither. Idempotent.
 */
export async function syncTaskSchedule(
  queue: Queue,
  task: TaskScheduleRow,
): Promise<'scheduled' | 'removed'> {
  const schedulerId = taskSchedulerId(task.id);
  if (task.status !== 'active') {
    await queue.removeJobScheduler(schedulerId);
    await queue.remove(onceJobId(task.id)).catch(() => 0);
    return 'removed';
  }
  const data: TaskJob = { taskId: task.id };
  if (task.schedule_kind === 'once') {
    const at = new Date(task.schedule_value).getTime();
    await queue.add(
      'fire',
      { ...data, slot: at },
      {
        jobId: onceJobId(task.id),
        delay: Math.max(0, at - Date.now()),
        removeOnComplete: true,
        removeOnFail: 100,
      },
    );
    return 'scheduled';
  }
  const repeat =
    task.schedule_kind === 'cron'
      ? { pattern: task.schedule_value, tz: task.timezone ?? 'UTC' }
      : { every: Number(task.schedule_value) };
  // Re-upserting an unchanged scheduler would replace its pending job with one for the next
  // slot from now, dropping a slot missed while workers were down: leave it alone.
  const existing = await queue.getJobScheduler(schedulerId);
  if (
    existing &&
    existing.pattern === ('pattern' in repeat ? repeat.pattern : undefined) &&
    (existing.every === undefined ? undefined : Number(existing.every)) ===
      ('every' in repeat ? repeat.every : undefined) &&
    (existing.tz ?? undefined) === ('tz' in repeat ? repeat.tz : undefined)
  ) {
    return 'scheduled';
  }
  // No scheduler although the task is active: Redis lost it (or it never existed). A slot
  // that passed meanwhile is fired once now; the worker applies the task's misfire policy
  // (`skip` records it as skipped, `run-once` runs it) and fires each slot at most once.
  const due = task.next_run_at?.getTime();
  if (!existing && due !== undefined && due < Date.now()) {
    await queue.add(
      'fire',
      { ...data, slot: due },
      { jobId: missedSlotJobId(task.id, due), removeOnComplete: true, removeOnFail: 100 },
    );
  }
  await queue.upsertJobScheduler(schedulerId, repeat, {
    name: 'fire',
    data,
    opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } },
  });
  return 'scheduled';
}

/** Ids of the tasks that have a job scheduler in BullMQ. */
export async function scheduledTaskIds(queue: Queue): Promise<number[]> {
  const schedulers = await queue.getJobSchedulers(0, -1);
  return schedulers
    .map((s) => /^task-(\d+)$/.exec(s.key ?? s.id ?? '')?.[1])
    .filter((id): id is string => id !== undefined)
    .map(Number);
}

/** Pub/sub channel on which every change to a task is announced to the schedulers. */
export function tasksChangedChannel(prefix: string): string {
  return `${prefix}:tasks-changed`;
}

/** Tells the schedulers that a task changed (created, updated, paused, resumed, cancelled). */
export async function announceTaskChange(
  pubsub: PubSub,
  prefix: string,
  taskId: number,
): Promise<void> {
  await pubsub.publish(tasksChangedChannel(prefix), String(taskId));
}
