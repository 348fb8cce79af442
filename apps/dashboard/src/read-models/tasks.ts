import { intervalText } from '@gridbot/core';
import type { Database, ScheduledTask } from '@gridbot/db';
import type { Kysely } from 'kysely';
import { excerpt } from '../pages/format.ts';

export const TASK_STATUSES = ['active', 'paused', 'completed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export function isTaskStatus(value: string): value is TaskStatus {
  return (TASK_STATUSES as readonly string[]).includes(value);
}

/** A scheduled task as the dashboard shows it. */
export interface TaskView {
  id: number;
  threadId: number;
  jid: string;
  threadTitle: string | null;
  prompt: string;
  promptExcerpt: string;
  scheduleKind: 'cron' | 'interval' | 'once';
  scheduleValue: string;
  /** The schedule in words: `cron 0 9 * * *`, `every 60000 ms`, `once at 2026-…Z`. */
  schedule: string;
  timezone: string | null;
  status: TaskStatus;
  contextMode: 'group' | 'isolated';
  misfirePolicy: 'skip' | 'run-once';
  nextRunAt: string | null;
  lastRunAt: string | null;
  createdBy: string | null;
  updatedAt: string;
}

export function describeSchedule(kind: string, value: string): string {
  if (kind === 'cron') return `cron ${value}`;
  if (kind === 'interval') return intervalText(Number(value));
  return `once at ${value}`;
}

export function taskView(
  row: ScheduledTask,
  thread: { jid: string; title: string | null },
): TaskView {
  return {
    id: row.id,
    threadId: row.thread_id,
    jid: thread.jid,
    threadTitle: thread.title,
    prompt: row.prompt,
    promptExcerpt: excerpt(row.prompt, 80),
    scheduleKind: row.schedule_kind,
    scheduleValue: row.schedule_value,
    schedule: describeSchedule(row.schedule_kind, row.schedule_value),
    timezone: row.timezone,
    status: row.status,
    contextMode: row.context_mode,
    misfirePolicy: row.misfire_policy,
    nextRunAt: row.next_run_at?.toISOString() ?? null,
    lastRunAt: row.last_run_at?.toISOString() ?? null,
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * Tasks of every thread, soonest next run first (tasks without one last): those of one
 * status, every one for `all`, or all but the cancelled ones by default (as `listTasks`).
 */
export async function listAllTasks(
  db: Kysely<Database>,
  status: TaskStatus | 'all' | undefined,
): Promise<TaskView[]> {
  let query = db
    .selectFrom('scheduled_tasks')
    .innerJoin('threads', 'threads.id', 'scheduled_tasks.thread_id')
    .selectAll('scheduled_tasks')
    .select(['threads.jid as jid', 'threads.title as thread_title'])
    .orderBy('scheduled_tasks.next_run_at', (ob) => ob.asc().nullsLast())
    .orderBy('scheduled_tasks.id')
    .limit(1_000);
  if (status === undefined) query = query.where('scheduled_tasks.status', '!=', 'cancelled');
  else if (status !== 'all') query = query.where('scheduled_tasks.status', '=', status);
  const rows = await query.execute();
  return rows.map((row) => taskView(row, { jid: row.jid, title: row.thread_title }));
}
