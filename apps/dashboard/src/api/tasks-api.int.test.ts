import { insertTask, type NewTaskInput } from '@gridbot/db';
import {
  syncTaskSchedule,
  TASKS_QUEUE,
  taskSchedulerId,
  tasksChangedChannel,
} from '@gridbot/queue';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '../read-models/tasks.ts';
import { openTestDashboard, type TestDashboard } from '../testing/test-dashboard.ts';

let t: TestDashboard;

/** A JSON answer, typed as the test expects it. */
async function read<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
let queue: Queue;
let subscriber: Redis;
const announced: string[] = [];
let standup: number;
let sweep: number;
let reminder: number;
let report: number;

const post = (path: string) => t.post(path);

async function taskRow(id: number) {
  return t.database.db
    .selectFrom('scheduled_tasks')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

async function waitForAnnouncement(id: number): Promise<void> {
  for (let i = 0; i < 50 && !announced.includes(String(id)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(announced).toContain(String(id));
}

beforeAll(async () => {
  t = await openTestDashboard();
  queue = t.runtime.queues.queue(TASKS_QUEUE);
  subscriber = new Redis(t.redis.url);
  subscriber.on('message', (_channel: string, message: string) => announced.push(message));
  await subscriber.subscribe(tasksChangedChannel(t.redis.prefix));
  const { db } = t.database;
  const ops = await t.seedThread('telegram:-100800', { title: 'Ops room' });
  const sales = await t.seedThread('telegram:-100801', { title: 'Sales' });
  const task = async (input: Partial<NewTaskInput> & { threadId: number; prompt: string }) => {
    const row = await insertTask(db, {
      scheduleKind: 'cron',
      scheduleValue: '0 9 * * 1-5',
      timezone: 'Europe/Berlin',
      contextMode: 'group',
      misfirePolicy: 'skip',
      nextRunAt: new Date(Date.now() + 3600_000),
      createdBy: 'cli',
      ...input,
    });
    // What the scheduler role would have done when the task was added.
    await syncTaskSchedule(queue, row);
    return row.id;
  };
  standup = await task({ threadId: ops, prompt: 'Post the standup reminder' });
  sweep = await task({
    threadId: sales,
    prompt: 'Summarise the pipeline',
    scheduleKind: 'interval',
    scheduleValue: '3600000',
    timezone: null,
  });
  reminder = await task({
    threadId: sales,
    prompt: 'Remind about the offsite',
    scheduleKind: 'once',
    scheduleValue: '2020-01-01T09:00:00.000Z',
    nextRunAt: null,
  });
  await db
    .updateTable('scheduled_tasks')
    .set({ status: 'paused' })
    .where('id', '=', reminder)
    .execute();
  await syncTaskSchedule(queue, await taskRow(reminder));
  report = await task({ threadId: ops, prompt: 'Write the weekly report' });
  await db
    .updateTable('scheduled_tasks')
    .set({ status: 'completed' })
    .where('id', '=', report)
    .execute();
  await syncTaskSchedule(queue, await taskRow(report));
});

afterAll(async () => {
  subscriber?.disconnect();
  await t?.close();
});

describe('tasks API', () => {
  it('lists the tasks of every thread with their thread, schedule and next run', async () => {
    const response = await t.api('/api/tasks');
    expect(response.status).toBe(200);
    const { tasks } = await read<{ tasks: TaskView[] }>(response);
    expect(tasks.map((task) => task.id).sort()).toEqual([standup, sweep, reminder, report].sort());
    expect(tasks.find((task) => task.id === sweep)).toMatchObject({
      jid: 'telegram:-100801',
      threadTitle: 'Sales',
      promptExcerpt: 'Summarise the pipeline',
      schedule: 'every hour',
      status: 'active',
    });
    const paused = await read<{ tasks: TaskView[] }>(await t.api('/api/tasks?status=paused'));
    expect(paused.tasks.map((task) => task.id)).toEqual([reminder]);
    const bad = await t.api('/api/tasks?status=sleeping');
    expect(bad.status).toBe(400);
    expect((await read<{ error: string }>(bad)).error).toBe(
      'status must be one of active, paused, completed, cancelled, all, not "sleeping"',
    );
  });

  it('pauses a task: status paused, no next run, its BullMQ scheduler removed, audited', async () => {
    expect(await queue.getJobScheduler(taskSchedulerId(standup))).toBeTruthy();
    const response = await post(`/api/tasks/${standup}/pause`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      task: { id: standup, status: 'paused', nextRunAt: null },
      schedule: 'removed',
    });
    expect(await taskRow(standup)).toMatchObject({ status: 'paused', next_run_at: null });
    expect(await queue.getJobScheduler(taskSchedulerId(standup))).toBeFalsy();
    // The interval task of the other thread keeps its scheduler.
    expect(await queue.getJobScheduler(taskSchedulerId(sweep))).toBeTruthy();
    await waitForAnnouncement(standup);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['actor', 'action', 'target', 'details'])
      .where('target', '=', `task:${standup}`)
      .execute();
    expect(audit).toEqual([
      {
        actor: 'dashboard',
        action: 'task.paused',
        target: `task:${standup}`,
        details: { thread: 'telegram:-100800', from: 'active' },
      },
    ]);
  });

  it('resumes a task: active again with its next run, and scheduled in BullMQ', async () => {
    const response = await post(`/api/tasks/${standup}/resume`);
    expect(response.status).toBe(200);
    const row = await taskRow(standup);
    expect(row.status).toBe('active');
    expect(row.next_run_at!.getTime()).toBeGreaterThan(Date.now());
    const scheduler = await queue.getJobScheduler(taskSchedulerId(standup));
    expect(scheduler).toMatchObject({ pattern: '0 9 * * 1-5', tz: 'Europe/Berlin' });
  });

  it('cancels a task for good: no scheduler, and it is gone for further actions', async () => {
    expect((await post(`/api/tasks/${sweep}/cancel`)).status).toBe(200);
    expect((await taskRow(sweep)).status).toBe('cancelled');
    expect(await queue.getJobScheduler(taskSchedulerId(sweep))).toBeFalsy();
    const again = await post(`/api/tasks/${sweep}/pause`);
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ error: `no task #${sweep}` });
    const listed = await read<{ tasks: TaskView[] }>(await t.api('/api/tasks'));
    expect(listed.tasks.map((task) => task.id)).not.toContain(sweep);
  });

  it('refuses to resume a once-task whose time has passed, or to pause a completed one', async () => {
    const late = await post(`/api/tasks/${reminder}/resume`);
    expect(late.status).toBe(409);
    expect((await read<{ error: string }>(late)).error).toMatch(/has passed/);
    expect((await taskRow(reminder)).status).toBe('paused');
    expect(await queue.getJob(`task-${reminder}-once`)).toBeFalsy();
    const done = await post(`/api/tasks/${report}/pause`);
    expect(done.status).toBe(409);
    expect((await taskRow(report)).status).toBe('completed');
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    const malformed = await post('/api/tasks/twelve/pause');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      error: 'task id must be a positive integer, not "twelve"',
    });
    expect((await post('/api/tasks/987654/resume')).status).toBe(404);
    expect((await post(`/api/tasks/${standup}/snooze`)).status).toBe(404);
  });
});

describe('tasks page', () => {
  it('shows every thread’s tasks with the buttons their status allows', async () => {
    const response = await t.api('/tasks');
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<h1>Tasks</h1>');
    expect(page).toContain('Post the standup reminder');
    expect(page).toContain('telegram:-100800');
    expect(page).toContain(`data-api="/api/tasks/${standup}/pause"`);
    expect(page).toContain(`data-api="/api/tasks/${reminder}/resume"`);
    expect(page).not.toContain(`data-api="/api/tasks/${standup}/resume"`);
    expect(page).not.toContain('Summarise the pipeline');
    const all = await (await t.api('/tasks?status=all')).text();
    expect(all).toContain('Summarise the pipeline');
  });
});
