import { insertTask, type NewTaskInput } from '@gridbot/db';
import {
  onceJobId,
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
let ops: number;
let closed: number;

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
  ops = await t.seedThread('telegram:-100800', { title: 'Ops room' });
  closed = await t.seedThread('telegram:-100802', { title: 'Archive', registered: false });
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

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

async function errorOf(response: Response): Promise<string> {
  return (await read<{ error: string }>(response)).error;
}

describe('adding a task', () => {
  type Preview = { timezone: string; runs: Array<{ at: string; local: string }> };
  const preview = (query: Record<string, string>) =>
    t.api(`/api/tasks/preview?${new URLSearchParams(query)}`);

  it('previews the next five firings, each as the task’s zone shows it', async () => {
    const cron = await read<Preview>(
      await preview({ kind: 'cron', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' }),
    );
    expect(cron.timezone).toBe('Europe/Berlin');
    expect(cron.runs).toHaveLength(5);
    for (const run of cron.runs) {
      expect(run.local).toMatch(/ 09:00$/);
      expect([1, 2, 3, 4, 5]).toContain(new Date(run.at).getUTCDay());
    }
    const hourly = await read<Preview>(await preview({ kind: 'every', every: '1h' }));
    expect(hourly.timezone).toBe('UTC');
    const times = hourly.runs.map((run) => new Date(run.at).getTime());
    expect(times.slice(1).map((time, i) => time - times[i]!)).toEqual([
      3_600_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
    const once = await read<Preview>(
      await preview({ kind: 'once', at: '2099-12-24T09:00', timezone: 'Asia/Tokyo' }),
    );
    expect(once.runs).toEqual([{ at: '2099-12-24T00:00:00.000Z', local: '2099-12-24 09:00' }]);
  });

  it('says why a schedule cannot fire', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ kind: 'cron', cron: '0 9 * *' }, /it has 4 field\(s\)/],
      [{ kind: 'cron', cron: '' }, /needs cron, e\.g\. "0 9 \* \* 1-5"/],
      [{ kind: 'every', every: '60' }, /"60" has no unit/],
      [{ kind: 'every', every: '100ms' }, /at least 1000/],
      [{ kind: 'once', at: '2020-01-01T09:00' }, /has passed: pick a time to come/],
      [{ kind: 'once', at: 'next week' }, /such as 2026-12-24T09:00/],
      [{ kind: 'cron', cron: '0 9 * * *', timezone: 'Mars/Olympus' }, /Unknown time zone/],
      [{ kind: 'cron', cron: '0 9 * * *', every: '1h' }, /takes cron, not every/],
      [{ kind: 'weekly' }, /kind is cron, every or once/],
    ];
    for (const [query, message] of cases) {
      const response = await preview(query);
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(await errorOf(response)).toMatch(message);
    }
  });

  it('adds a once-task at a time read in its zone: stored, scheduled, announced, audited', async () => {
    const response = await t.api(
      '/api/tasks',
      json({
        threadId: String(ops),
        prompt: 'Wish everyone a merry Christmas',
        kind: 'once',
        at: '2099-12-24T09:00',
        timezone: 'Asia/Tokyo',
      }),
    );
    expect(response.status).toBe(201);
    const { task, schedule } = await read<{ task: TaskView; schedule: string }>(response);
    expect(schedule).toBe('scheduled');
    expect(task).toMatchObject({
      threadId: ops,
      jid: 'telegram:-100800',
      scheduleKind: 'once',
      timezone: 'Asia/Tokyo',
      status: 'active',
      nextRunAt: '2099-12-24T00:00:00.000Z',
      createdBy: 'dashboard',
    });
    expect(await queue.getJob(onceJobId(task.id))).toBeTruthy();
    await waitForAnnouncement(task.id);
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('target', '=', `task:${task.id}`)
      .execute();
    expect(audit).toEqual([
      {
        action: 'task.created',
        details: {
          thread: 'telegram:-100800',
          schedule: 'once 2099-12-24T00:00:00.000Z',
          timezone: 'Asia/Tokyo',
        },
      },
    ]);
  });

  it('adds a recurring task with BullMQ’s scheduler set to its interval', async () => {
    const response = await t.api(
      '/api/tasks',
      json({
        threadId: ops,
        prompt: 'Check the queue',
        kind: 'every',
        every: '90m',
        isolated: true,
      }),
    );
    expect(response.status).toBe(201);
    const { task } = await read<{ task: TaskView }>(response);
    expect(task).toMatchObject({ schedule: 'every 90 minutes', contextMode: 'isolated' });
    expect(await queue.getJobScheduler(taskSchedulerId(task.id))).toMatchObject({
      every: 5_400_000,
    });
  });

  it('refuses a task for an unregistered or unknown thread, or without a prompt', async () => {
    const every = { kind: 'every', every: '1h', prompt: 'Ping' };
    const unregistered = await t.api('/api/tasks', json({ ...every, threadId: closed }));
    expect(unregistered.status).toBe(409);
    expect(await errorOf(unregistered)).toBe(
      'Archive is not registered, so its tasks would not run: register it first',
    );
    expect((await t.api('/api/tasks', json({ ...every, threadId: 987654 }))).status).toBe(404);
    const empty = await t.api('/api/tasks', json({ ...every, threadId: ops, prompt: '  ' }));
    expect(empty.status).toBe(400);
    expect(await errorOf(empty)).toBe('prompt: say what the task should do');
    const extra = await t.api('/api/tasks', json({ ...every, threadId: ops, owner: 'me' }));
    expect(extra.status).toBe(400);
    const rows = await t.database.db
      .selectFrom('scheduled_tasks')
      .select('id')
      .where('prompt', '=', 'Ping')
      .execute();
    expect(rows).toEqual([]);
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
