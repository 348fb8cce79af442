/**
 * Over 400 lines: one end-to-end fleet (scheduler, worker, gateway, fake model) shared by
 * every scheduling case, since starting it per file would double the suite's time.
 */
import { registerThread } from '@gridbot/db';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from './support/fake-anthropic.ts';
import type { FakeLlmServer } from './support/fake-llm-server.ts';
import type { GridbotProcess } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { PrivateRedis } from './support/private-redis.ts';
import type { ChatSpec } from './support/telegram-fake.ts';
import { ON_REDIS } from './support/test-mode.ts';
import { sleep, waitFor } from './support/wait-for.ts';

let h: PipelineHarness;
let redis: PrivateRedis;
let llm: FakeLlmServer;
let worker: GridbotProcess;
let nextChat = -980100;

const SCHEDULER_ENV = {
  SWEEP_INTERVAL_MS: '1000',
  OUTBOX_GRACE_MS: '1500',
  RECONCILE_INTERVAL_MS: '2000',
};

beforeAll(async () => {
  h = await PipelineHarness.create();
  // Redis of the suite's own, which the Redis-loss cases flush (the redis mode only).
  if (ON_REDIS) redis = await PrivateRedis.start();
  llm = await startFakeAnthropic((body) => ({
    text: `done ${(body.messages as unknown[]).length}`,
  }));
  const env = redisEnv();
  await h.start(['gateway', '--channel', 'telegram'], env);
  worker = await h.start(['worker'], {
    ...env,
    LLM_PROVIDER: 'anthropic',
    ANTHROPIC_API_KEY: 'sk-ant-scheduler-test',
    ANTHROPIC_BASE_URL: llm.baseURL,
    LLM_MODEL: 'claude-test',
  });
});

afterAll(async () => {
  await h?.close();
  await redis?.stop();
  await llm?.close();
});

async function newChat(): Promise<ChatSpec> {
  const chat: ChatSpec = {
    chatId: nextChat--,
    type: 'group',
    title: 'Cron',
    userId: 994,
    firstName: 'Tim',
  };
  await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
  return chat;
}

/** The roles' Redis: the suite's own in the redis mode, none in the Postgres-only mode. */
const redisEnv = (): Record<string, string> => (ON_REDIS ? { REDIS_URL: redis.url } : {});
const cli = (args: string[]) => h.cli(['tasks', ...args], redisEnv());
const scheduler = () => h.start(['scheduler'], { ...redisEnv(), ...SCHEDULER_ENV });

/** A queue as the roles see it, opened from the test. */
async function queueOf(name: string) {
  if (ON_REDIS) return new Queue(name, { connection: { url: redis.url }, prefix: h.redis.prefix });
  return (await h.transport()).createQueue(name);
}

async function taskRuns(taskId: number) {
  return h.db.db
    .selectFrom('task_runs')
    .selectAll()
    .where('task_id', '=', taskId)
    .orderBy('run_at')
    .execute();
}

function taskIdOf(output: string): number {
  const id = /Added #(\d+)/.exec(output)?.[1];
  if (!id) throw new Error(`no task id in: ${output}`);
  return Number(id);
}

describe('scheduled tasks', () => {
  it('refuse a schedule that cannot fire, saying why', async () => {
    const chat = await newChat();
    const jid = `telegram:${chat.chatId}`;
    for (const [flags, message] of [
      [['--cron', 'every monday'], /Invalid cron expression/],
      [['--cron', '0 9 * * *', '--tz', 'Mars/Olympus'], /Unknown time zone/],
      [['--every', '0'], /at least 1000/],
      [['--every', 'soon'], /--every: Expected a length of time such as 30s, 15m, 1h/],
      [['--at', '2001-01-01T00:00:00Z'], /in the past/],
    ] as const) {
      const result = await cli(['add', jid, '--prompt', 'x', ...flags]);
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(message);
    }
  });

  it('fire a cron with seconds in a non-UTC zone, exactly once per slot with two schedulers, and post each result', async () => {
    const first = await scheduler();
    const second = await scheduler();
    try {
      const chat = await newChat();
      const added = await cli([
        'add',
        `telegram:${chat.chatId}`,
        '--prompt',
        'tick',
        '--cron',
        '*/2 * * * * *',
        '--tz',
        'Asia/Tokyo',
      ]);
      expect(added.code).toBe(0);
      const taskId = taskIdOf(added.output);
      await waitFor(
        'four firings',
        async () => (await taskRuns(taskId)).filter((r) => r.status === 'succeeded').length >= 4,
        30_000,
      );
      expect((await cli(['pause', String(taskId)])).code).toBe(0);
      // Paused: the firings settle, and each succeeded one has had its result posted.
      const runs = await waitFor('the firings settled and posted', async () => {
        const all = await taskRuns(taskId);
        const succeeded = all.filter((r) => r.status === 'succeeded').length;
        const settled = all.every((r) => r.status !== 'running');
        return settled && h.telegram.botMessages(chat.chatId).length === succeeded && all;
      });
      const slots = runs.map((r) => r.run_at.getTime());
      expect(new Set(slots).size).toBe(slots.length);
      for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBe(2_000);
      const agentRuns = await h.db.db
        .selectFrom('agent_runs')
        .select('id')
        .where('trigger', '=', 'task')
        .execute();
      expect(agentRuns.length).toBe(runs.filter((r) => r.status !== 'skipped').length);
      const posted = h.telegram.botMessages(chat.chatId);
      expect(posted.every((m) => m.text.startsWith('done'))).toBe(true);

      // Nothing fires while paused (two slots' worth of waiting), and firing resumes after.
      const pausedAt = runs.length;
      await sleep(4_000);
      expect((await taskRuns(taskId)).length).toBe(pausedAt);
      expect((await cli(['resume', String(taskId)])).code).toBe(0);
      await waitFor('firing again', async () => (await taskRuns(taskId)).length > pausedAt, 15_000);
      expect((await cli(['cancel', String(taskId)])).code).toBe(0);
      const queue = await queueOf('tasks');
      try {
        await waitFor(
          'the job scheduler removed',
          async () => (await queue.getJobSchedulers()).length === 0,
        );
      } finally {
        await queue.close();
      }
    } finally {
      // A failure here must not leave schedulers sweeping for the cases after it.
      await first.stop();
      await second.stop();
    }
  });

  it("/tasks lists the chat's tasks with their next run in the chat's time zone", async () => {
    const chat = await newChat();
    await h.db.db
      .updateTable('threads')
      .set({ config: JSON.stringify({ timezone: 'Europe/Berlin' }) })
      .where('jid', '=', `telegram:${chat.chatId}`)
      .execute();
    const added = await cli([
      'add',
      `telegram:${chat.chatId}`,
      '--prompt',
      'water the plants',
      '--cron',
      '0 9 * * *',
      '--tz',
      'Europe/Berlin',
    ]);
    const taskId = taskIdOf(added.output);
    await h.telegram.say(chat, '/tasks');
    const [reply] = await waitFor('the task list', () => {
      const all = h.telegram.botMessages(chat.chatId);
      return all.length > 0 && all;
    });
    expect(reply!.text).toContain('Scheduled tasks (Europe/Berlin):');
    expect(reply!.text).toMatch(
      new RegExp(`#${taskId} water the plants \\(cron 0 9 \\* \\* \\*; next .*09:00\\)`),
    );
    await cli(['cancel', String(taskId)]);
  });

  it('fire a once-task once and mark it completed; an isolated task gets no history', async () => {
    const sched = await scheduler();
    const chat = await newChat();
    await h.telegram.say(chat, 'some earlier chatter');
    await sleep(500);
    const at = new Date(Date.now() + 3_000).toISOString();
    const added = await cli([
      'add',
      `telegram:${chat.chatId}`,
      '--prompt',
      'report now',
      '--at',
      at,
      '--isolated',
    ]);
    const taskId = taskIdOf(added.output);
    const before = llm.requests.length;
    await waitFor(
      'the firing',
      async () => (await taskRuns(taskId)).some((r) => r.status === 'succeeded'),
      20_000,
    );
    await sleep(2_000);
    expect(await taskRuns(taskId)).toHaveLength(1);
    const task = await h.db.db
      .selectFrom('scheduled_tasks')
      .select('status')
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow();
    expect(task.status).toBe('completed');
    const request = llm.requests
      .slice(before)
      .find((r) => JSON.stringify(r.body).includes('report now'));
    expect(request).toBeDefined();
    expect(JSON.stringify(request!.body)).not.toContain('some earlier chatter');
    expect((request!.body.messages as unknown[]).length).toBe(1);
    await sched.stop();
  });

  it.skipIf(!ON_REDIS)(
    'after Redis loses everything, the sweeper gets waiting messages answered and unsent replies sent, once',
    async () => {
      await worker.stop();
      const chat = await newChat();
      await h.telegram.say(chat, '@Andy are you still there?');
      await waitFor('the message stored', async () => {
        const rows = await h.db.db
          .selectFrom('messages')
          .select('id')
          .where('content', '=', '@Andy are you still there?')
          .execute();
        return rows.length === 1;
      });
      const thread = await h.db.db
        .selectFrom('threads')
        .selectAll()
        .where('jid', '=', `telegram:${chat.chatId}`)
        .executeTakeFirstOrThrow();
      await h.db.db
        .insertInto('outbox')
        .values({
          thread_id: thread.id,
          run_id: null,
          channel: 'telegram',
          jid: thread.jid,
          payload: JSON.stringify({ text: 'a reply Redis forgot', replyTo: null }),
          platform_message_ids: '[]',
          created_at: new Date(Date.now() - 60_000),
        })
        .execute();
      const flush = new Redis(redis.url);
      await flush.flushall();
      flush.disconnect();
      worker = await h.start(['worker'], {
        REDIS_URL: redis.url,
        LLM_PROVIDER: 'anthropic',
        ANTHROPIC_API_KEY: 'sk-ant-scheduler-test',
        ANTHROPIC_BASE_URL: llm.baseURL,
        LLM_MODEL: 'claude-test',
      });
      await sleep(1_500);
      expect(h.telegram.botMessages(chat.chatId)).toEqual([]);
      const sched = await scheduler();
      await waitFor(
        'both delivered',
        () => h.telegram.botMessages(chat.chatId).length === 2,
        20_000,
      );
      await sleep(3_000);
      const texts = h.telegram.botMessages(chat.chatId).map((m) => m.text);
      expect(texts).toHaveLength(2);
      expect(texts).toContain('a reply Redis forgot');
      expect(texts.filter((t) => t.startsWith('done'))).toHaveLength(1);
      await sched.stop();
    },
  );

  it('after workers and scheduler are killed with -9, no slot fires twice; a missed slot runs once with run-once and not with skip', async () => {
    await worker.stop();
    const grace = { MISFIRE_GRACE_MS: '1500' };
    const workerEnv = {
      ...redisEnv(),
      LLM_PROVIDER: 'anthropic',
      ANTHROPIC_API_KEY: 'sk-ant-scheduler-test',
      ANTHROPIC_BASE_URL: llm.baseURL,
      LLM_MODEL: 'claude-test',
      ...grace,
    };
    worker = await h.start(['worker'], workerEnv);
    let sched = await scheduler();
    const chat = await newChat();
    const jid = `telegram:${chat.chatId}`;
    const runOnce = taskIdOf(
      (
        await cli([
          'add',
          jid,
          '--prompt',
          'catch up',
          '--cron',
          '*/3 * * * * *',
          '--misfire',
          'run-once',
        ])
      ).output,
    );
    const skip = taskIdOf(
      (
        await cli([
          'add',
          jid,
          '--prompt',
          'let it go',
          '--cron',
          '*/3 * * * * *',
          '--misfire',
          'skip',
        ])
      ).output,
    );
    await waitFor(
      'both tasks fired',
      async () => (await taskRuns(runOnce)).length > 0 && (await taskRuns(skip)).length > 0,
      20_000,
    );

    worker.child.kill('SIGKILL');
    sched.child.kill('SIGKILL');
    await Promise.all([worker.exited, sched.exited]);
    const downAt = Date.now();
    await sleep(7_000);
    worker = await h.start(['worker'], workerEnv);
    sched = await scheduler();
    await waitFor(
      'firing again',
      async () => (await taskRuns(runOnce)).some((r) => r.run_at.getTime() > Date.now() - 2_000),
      20_000,
    );
    const missed = (taskId: number) =>
      taskRuns(taskId).then((runs) =>
        runs.filter((r) => r.run_at.getTime() > downAt && r.run_at.getTime() < downAt + 7_000),
      );
    // Both tasks share the thread, so the skip task's late job may wait for the lease.
    await waitFor(
      'the skip task to handle its missed slot',
      async () => (await missed(skip)).length > 0,
      20_000,
    );
    await sleep(1_000);

    for (const taskId of [runOnce, skip]) {
      const slots = (await taskRuns(taskId)).map((r) => r.run_at.getTime());
      expect(new Set(slots).size).toBe(slots.length);
    }
    const caughtUp = await missed(runOnce);
    expect(caughtUp.map((r) => r.status)).toEqual(['succeeded']);
    const skipped = await missed(skip);
    expect(skipped.map((r) => r.status)).toEqual(['skipped']);
    await cli(['cancel', String(runOnce)]);
    await cli(['cancel', String(skip)]);
    await sched.stop();
  });

  it.skipIf(!ON_REDIS)(
    'while the scheduler keeps running, Redis losing its data brings back the sweeper, the task schedules and a missed run-once slot',
    async () => {
      const sched = await scheduler();
      const chat = await newChat();
      const jid = `telegram:${chat.chatId}`;
      const added = await cli([
        'add',
        jid,
        '--prompt',
        'hourly',
        '--cron',
        '0 * * * *',
        '--misfire',
        'run-once',
      ]);
      expect(added.output).not.toContain('Redis is not reachable');
      const taskId = taskIdOf(added.output);
      const tasks = new Queue('tasks', { connection: { url: redis.url }, prefix: h.redis.prefix });
      const system = new Queue('system', {
        connection: { url: redis.url },
        prefix: h.redis.prefix,
      });
      try {
        // The CLI's announcement reached the scheduler at once (no reconciliation needed).
        await waitFor(
          'the task scheduler',
          async () => !!(await tasks.getJobScheduler(`task-${taskId}`)),
          1_500,
        );
        // As if the last firing was a minute ago and the next slot passed while Redis was empty.
        await h.db.db
          .updateTable('scheduled_tasks')
          .set({ next_run_at: new Date(Date.now() - 30_000) })
          .where('id', '=', taskId)
          .execute();
        const thread = await h.db.db
          .selectFrom('threads')
          .select(['id', 'jid'])
          .where('jid', '=', jid)
          .executeTakeFirstOrThrow();
        const flush = new Redis(redis.url);
        await flush.flushall();
        flush.disconnect();
        // A reply committed while Redis was empty: only the sweeper can get it out.
        await h.db.db
          .insertInto('outbox')
          .values({
            thread_id: thread.id,
            run_id: null,
            channel: 'telegram',
            jid: thread.jid,
            payload: JSON.stringify({ text: 'committed while Redis was empty', replyTo: null }),
            platform_message_ids: '[]',
            created_at: new Date(Date.now() - 60_000),
          })
          .execute();
        await waitFor(
          'the sweeper and the task scheduler back',
          async () =>
            !!(await system.getJobScheduler('sweeper')) &&
            !!(await tasks.getJobScheduler(`task-${taskId}`)),
          10_000,
        );
        await waitFor(
          'the stranded reply delivered',
          () =>
            h.telegram
              .botMessages(chat.chatId)
              .some((m) => m.text === 'committed while Redis was empty'),
          15_000,
        );
        await waitFor(
          'the missed slot run once',
          async () => (await taskRuns(taskId)).some((r) => r.status === 'succeeded'),
          15_000,
        );
        expect((await taskRuns(taskId)).map((r) => r.status)).toEqual(['succeeded']);
        expect(sched.output()).toContain('system jobs were missing from Redis');
        expect(sched.child.exitCode).toBeNull();
      } finally {
        await cli(['cancel', String(taskId)]);
        await Promise.all([tasks.close(), system.close()]);
        await sched.stop();
      }
    },
  );
});
