import { DEFAULT_BEHAVIOUR, RpcErrorCode } from '@gridbot/core';
import { findTask, registerThread, type Thread, upsertUser } from '@gridbot/db';
import type { AgentRequestHandlers } from '@gridbot/runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/test-database.ts';
import { agentRequestHandlers } from './agent-requests.ts';

let t: TestDatabase;
let main: Thread;
let team: Thread;
let other: Thread;

beforeAll(async () => {
  t = await createTestDatabase();
  main = await registerThread(t.db, { jid: 'telegram:1', isMain: true, isGroup: false });
  team = await registerThread(t.db, { jid: 'telegram:-100' });
  other = await registerThread(t.db, { jid: 'telegram:-200' });
});
afterAll(async () => {
  await t?.drop();
});

const config = { ...DEFAULT_BEHAVIOUR, timezone: 'Europe/Berlin' };
const handlersFor = (thread: Thread) =>
  agentRequestHandlers({ db: t.db, thread, config, userId: null });
const call = (
  handlers: AgentRequestHandlers,
  method: keyof AgentRequestHandlers,
  params: unknown,
) => handlers[method]!(params);

describe('memory requests', () => {
  it('keep thread memory to its thread and global memory to the main thread', async () => {
    const inTeam = handlersFor(team);
    const { id } = (await call(inTeam, 'memory.write', {
      scope: 'thread',
      content: 'standup at 9',
      remove: false,
    })) as {
      id: number;
    };
    expect(await call(inTeam, 'memory.read', { scope: 'thread' })).toMatchObject({
      entries: [{ id, content: 'standup at 9' }],
    });
    expect(await call(handlersFor(other), 'memory.read', { scope: 'thread' })).toEqual({
      entries: [],
    });
    await expect(
      call(inTeam, 'memory.write', { scope: 'global', content: 'x', remove: false }),
    ).rejects.toMatchObject({ rpcCode: RpcErrorCode.Forbidden });
    await expect(
      call(inTeam, 'memory.read', { scope: 'thread', threadJid: other.jid }),
    ).rejects.toMatchObject({
      rpcCode: RpcErrorCode.Forbidden,
      message: expect.stringContaining('main thread'),
    });
    await expect(
      call(handlersFor(other), 'memory.write', { scope: 'thread', id, remove: true }),
    ).rejects.toMatchObject({
      rpcCode: RpcErrorCode.InvalidParams,
    });

    const inMain = handlersFor(main);
    await call(inMain, 'memory.write', {
      scope: 'global',
      content: 'company holiday on Friday',
      remove: false,
    });
    await call(inMain, 'memory.write', {
      scope: 'thread',
      threadJid: other.jid,
      content: 'set by main',
      remove: false,
    });
    expect(await call(handlersFor(other), 'memory.read', { scope: 'global' })).toMatchObject({
      entries: [{ content: 'company holiday on Friday' }],
    });
    expect(await call(handlersFor(other), 'memory.read', { scope: 'thread' })).toMatchObject({
      entries: [{ content: 'set by main' }],
    });
    await call(inTeam, 'memory.write', { scope: 'thread', id, remove: true });
    expect(await call(inTeam, 'memory.read', { scope: 'thread' })).toEqual({ entries: [] });
  });
});

describe('task requests', () => {
  it('schedule, list, update, pause, resume and cancel a task of the thread, in its time zone', async () => {
    const inTeam = handlersFor(team);
    const created = (await call(inTeam, 'task.schedule', {
      prompt: 'post the standup reminder',
      schedule: { kind: 'cron', expression: '0 9 * * 1-5' },
      contextMode: 'group',
      misfirePolicy: 'skip',
    })) as { task: { id: number; timezone: string; nextRunAt: string; status: string } };
    expect(created.task).toMatchObject({ timezone: 'Europe/Berlin', status: 'active' });
    const next = new Date(created.task.nextRunAt);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(['07:00', '08:00']).toContain(next.toISOString().slice(11, 16)); // 09:00 in Berlin
    const id = created.task.id;

    expect(await call(inTeam, 'task.list', {})).toMatchObject({
      tasks: [{ id, prompt: 'post the standup reminder' }],
    });
    expect(await call(handlersFor(other), 'task.list', {})).toEqual({ tasks: [] });
    await expect(call(handlersFor(other), 'task.pause', { taskId: id })).rejects.toMatchObject({
      rpcCode: RpcErrorCode.InvalidParams,
    });

    const updated = (await call(inTeam, 'task.update', {
      taskId: id,
      schedule: { kind: 'interval', everyMs: 3_600_000 },
    })) as {
      task: { schedule: unknown };
    };
    expect(updated.task.schedule).toEqual({ kind: 'interval', everyMs: 3_600_000 });
    expect(await call(inTeam, 'task.pause', { taskId: id })).toMatchObject({
      task: { status: 'paused' },
    });
    expect(await call(inTeam, 'task.resume', { taskId: id })).toMatchObject({
      task: { status: 'active' },
    });
    expect(await call(handlersFor(main), 'task.cancel', { taskId: id })).toMatchObject({
      task: { status: 'cancelled', nextRunAt: null },
    });
    expect(await call(inTeam, 'task.list', {})).toEqual({ tasks: [] });
  });

  it('gives a task to the person whose message started the run', async () => {
    const ann = await upsertUser(t.db, {
      channel: 'telegram',
      platformUserId: '1001',
      name: 'Ann',
      username: null,
    });
    const created = (await call(
      agentRequestHandlers({ db: t.db, thread: team, config, userId: ann.id }),
      'task.schedule',
      {
        prompt: 'remind Ann',
        schedule: { kind: 'interval', everyMs: 3_600_000 },
        contextMode: 'group',
        misfirePolicy: 'skip',
      },
    )) as { task: { id: number } };
    expect((await findTask(t.db, created.task.id))?.owner_user_id).toBe(ann.id);
    await call(handlersFor(team), 'task.cancel', { taskId: created.task.id });
  });

  it('refuses schedules that cannot fire, with the reason', async () => {
    const inTeam = handlersFor(team);
    for (const [schedule, reason] of [
      [{ kind: 'cron', expression: 'every monday' }, /Invalid cron expression/],
      [{ kind: 'once', at: '2001-01-01T00:00:00Z' }, /in the past/],
      [{ kind: 'interval', everyMs: 5 }, /at least 1000/],
    ] as const) {
      await expect(
        call(inTeam, 'task.schedule', {
          prompt: 'x',
          schedule,
          contextMode: 'group',
          misfirePolicy: 'skip',
        }),
      ).rejects.toMatchObject({
        rpcCode: RpcErrorCode.InvalidParams,
        message: expect.stringMatching(reason),
      });
    }
    await expect(
      call(inTeam, 'task.schedule', {
        prompt: 'x',
        schedule: { kind: 'interval', everyMs: 60_000 },
        timezone: 'Nowhere/Land',
        contextMode: 'group',
        misfirePolicy: 'skip',
      }),
    ).rejects.toMatchObject({ message: expect.stringContaining('Unknown time zone') });
  });
});

describe('memory cap', () => {
  it('holds at most the cap, also when writes race, and counts a replacement by its new size', async () => {
    const thread = await registerThread(t.db, { jid: 'telegram:-300' });
    const capped = agentRequestHandlers({
      db: t.db,
      thread,
      config,
      userId: null,
      memoryCap: { entries: 5, bytes: 1_000 },
    });
    const write = (content: string, id?: number) =>
      call(capped, 'memory.write', { scope: 'thread', content, remove: false, ...(id && { id }) });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => write(`note ${String(i).padStart(2, '0')}`)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.reason).toMatchObject({
      rpcCode: RpcErrorCode.InvalidParams,
      message: expect.stringMatching(
        /memory is full \(5 entries.*at most 5 entries and 1000 bytes/,
      ),
    });
    const { entries } = (await call(capped, 'memory.read', { scope: 'thread' })) as {
      entries: Array<{ id: number }>;
    };
    expect(entries).toHaveLength(5);
    const first = entries[0]!.id;
    // Replacing counts the new content instead of the old: 4 × 7 + 972 = 1000 fits, 973 not.
    await expect(write('r'.repeat(973), first)).rejects.toMatchObject({
      message: expect.stringContaining('memory is full'),
    });
    expect(await write('r'.repeat(972), first)).toEqual({ id: first, removed: false });
  });
});

describe('task frequency', () => {
  const task = (schedule: unknown) => ({
    prompt: 'tick',
    schedule,
    contextMode: 'group',
    misfirePolicy: 'skip',
  });
  const everySecond = { kind: 'cron', expression: '*/1 * * * * *' };

  it('refuses a non-main thread a schedule firing more often than once a minute', async () => {
    const inOther = handlersFor(other);
    for (const schedule of [everySecond, { kind: 'interval', everyMs: 30_000 }]) {
      await expect(call(inOther, 'task.schedule', task(schedule))).rejects.toMatchObject({
        rpcCode: RpcErrorCode.Forbidden,
        message: expect.stringMatching(/at most once every 60 s.*main chat/),
      });
    }
    const hourly = (await call(
      inOther,
      'task.schedule',
      task({ kind: 'cron', expression: '0 * * * *' }),
    )) as {
      task: { id: number };
    };
    await expect(
      call(inOther, 'task.update', { taskId: hourly.task.id, schedule: everySecond }),
    ).rejects.toMatchObject({ rpcCode: RpcErrorCode.Forbidden });
    const kept = (await call(inOther, 'task.list', {})) as { tasks: Array<{ schedule: unknown }> };
    expect(kept.tasks.map((t) => t.schedule)).toEqual([{ kind: 'cron', expression: '0 * * * *' }]);
    await call(inOther, 'task.cancel', { taskId: hourly.task.id });
  });

  it('lets the main thread, and any thread where the operator allows it, fire every second', async () => {
    const fromMain = (await call(handlersFor(main), 'task.schedule', {
      ...task(everySecond),
      threadJid: other.jid,
    })) as { task: { id: number } };
    const allowed = agentRequestHandlers({
      db: t.db,
      thread: other,
      config,
      userId: null,
      minTaskIntervalMs: 0,
    });
    const fromOther = (await call(allowed, 'task.schedule', task(everySecond))) as {
      task: { id: number };
    };
    for (const id of [fromMain.task.id, fromOther.task.id])
      await call(handlersFor(main), 'task.cancel', { taskId: id });
  });
});

describe('artifact requests', () => {
  it('record a reference for the thread', async () => {
    const { artifactId } = (await call(handlersFor(team), 'artifact.save', {
      kind: 'image',
      url: 'https://example.com/chart.png',
      prompt: 'a chart',
      metadata: {},
    })) as { artifactId: number };
    const row = await t.db
      .selectFrom('artifacts')
      .selectAll()
      .where('id', '=', artifactId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      thread_id: team.id,
      kind: 'image',
      url: 'https://example.com/chart.png',
    });
  });
});
