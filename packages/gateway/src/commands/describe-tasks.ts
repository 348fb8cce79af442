import { DEFAULT_BEHAVIOUR, intervalText, resolveConfig } from '@gridbot/core';
import { type Database, listTasks, type Thread } from '@gridbot/db';
import type { Kysely } from 'kysely';

/** The `/tasks` answer: the thread's tasks with their next run in the thread's time zone. */
export async function describeTasks(db: Kysely<Database>, thread: Thread): Promise<string> {
  const tasks = await listTasks(db, thread.id);
  if (tasks.length === 0) return 'No scheduled tasks in this chat.';
  const { timezone } = resolveConfig(DEFAULT_BEHAVIOUR, {}, thread.config);
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone: timezone,
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  const lines = tasks.map((task) => {
    const when =
      task.status === 'active' && task.next_run_at
        ? `next ${format.format(task.next_run_at)}`
        : task.status;
    const schedule =
      task.schedule_kind === 'cron'
        ? `cron ${task.schedule_value}`
        : task.schedule_kind === 'interval'
          ? intervalText(Number(task.schedule_value))
          : 'once';
    return `#${task.id} ${task.prompt} (${schedule}; ${when})`;
  });
  return [`Scheduled tasks (${timezone}):`, ...lines].join('\n');
}
