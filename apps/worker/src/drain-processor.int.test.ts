import { DEFAULT_BEHAVIOUR, type LlmCompleteParams } from '@gridbot/core';
import { acquireLease, insertMessage, insertTask, registerThread, upsertUser } from '@gridbot/db';
import { EchoProvider, type LlmCallOptions, type LlmProvider } from '@gridbot/llm';
import {
  PipelineQueues,
  RedisTransport,
  TASKS_QUEUE,
  THREADS_QUEUE,
  ThreadEventHub,
} from '@gridbot/queue';
import { defaultAgentCommand, ProcessRuntime, WarmPool } from '@gridbot/runner';
import { createMetrics } from '@gridbot/service';
import type { Job } from 'bullmq';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/test-database.ts';
import { createTestRedis, type TestRedis } from '../../../tests/support/test-redis.ts';
import { waitFor } from '../../../tests/support/wait-for.ts';
import { AgentLauncher } from './agent-launcher.ts';
import { DrainProcessor } from './drain-processor.ts';

let t: TestDatabase;
let r: TestRedis;
beforeAll(async () => {
  t = await createTestDatabase();
  r = createTestRedis();
});
afterAll(async () => {
  await t?.drop();
  await r?.cleanup();
});

/** Answers like echo, but first lets another worker take the thread's lease, as after a long stall. */
class LeaseStealingProvider implements LlmProvider {
  readonly name = 'echo';
  readonly #echo = new EchoProvider();
  readonly #threadId: number;
  constructor(threadId: number) {
    this.#threadId = threadId;
  }
  async complete(params: LlmCompleteParams, options: LlmCallOptions) {
    await t.db
      .updateTable('threads')
      .set({ lease_expires_at: new Date(Date.now() - 1_000) })
      .execute();
    const stolen = await acquireLease(t.db, this.#threadId, 'intruder', 60_000);
    if (!stolen) throw new Error('test setup: could not take the lease');
    return this.#echo.complete(params, options);
  }
}

/** A DrainProcessor on the test database and Redis, with a process agent; closed after `body`. */
async function withProcessor(
  llm: LlmProvider,
  queueName: string,
  process: (processor: DrainProcessor, job: Job, token?: string) => Promise<string>,
  body: (queues: PipelineQueues, results: string[]) => Promise<void>,
) {
  const logger = pino({ level: 'silent' });
  const transport = new RedisTransport({ url: r.url, prefix: r.prefix, connectionName: 'test' });
  const queues = new PipelineQueues({ transport, prefix: r.prefix });
  const runtime = new ProcessRuntime({ command: defaultAgentCommand(), logger });
  const events = new ThreadEventHub(transport.pubsub, r.prefix);
  const processor = new DrainProcessor({
    db: t.db,
    queues,
    launcher: new AgentLauncher({
      pool: new WarmPool({ runtime, idleMs: 0, logger }),
      workspaceRoot: `/tmp/gridbot-test-workspaces/${t.name}`,
      globalDir: null,
      allowlistPath: '/nonexistent/allowlist.json',
      homeDir: '/tmp',
    }),
    events,
    llm,
    workerId: 'worker-under-test',
    assistantName: 'Andy',
    globalConfig: DEFAULT_BEHAVIOUR,
    leaseTtlMs: 60_000,
    limits: {
      memoryBytes: 256 * 1024 * 1024,
      cpus: 1,
      pids: 64,
      outputBytes: 1024 * 1024,
      tmpBytes: 1024 * 1024,
      timeoutMs: 20_000,
    },
    logger,
    metrics: createMetrics('test'),
  });
  const results: string[] = [];
  const worker = transport.createWorker(
    queueName,
    async (job, token) => {
      const result = await process(processor, job, token);
      results.push(result);
      return result;
    },
    {},
  );
  try {
    await body(queues, results);
  } finally {
    await worker.close();
    await queues.close();
    await runtime.close();
    await transport.close();
  }
}

describe('DrainProcessor fencing', () => {
  it('discards the reply of a run whose lease was taken over: nothing committed, nothing sent', async () => {
    const thread = await registerThread(t.db, { jid: 'telegram:-42' });
    await insertMessage(t.db, {
      threadId: thread.id,
      platformMessageId: '1',
      senderId: null,
      senderName: 'Ann',
      role: 'user',
      content: '@Andy hello',
      replyTo: null,
      triggers: true,
      sentAt: new Date(),
    });
    await withProcessor(
      new LeaseStealingProvider(thread.id),
      THREADS_QUEUE,
      (processor, job, token) => processor.process(job, token),
      async (queues, results) => {
        await queues.enqueueDrain(thread.id);
        await waitFor('the run to end', () => results.length > 0);
        expect(results).toEqual(['fenced']);
        const runs = await t.db.selectFrom('agent_runs').select(['status', 'error']).execute();
        expect(runs).toHaveLength(1);
        expect(runs[0]!.status).toBe('fenced');
        expect(await t.db.selectFrom('outbox').selectAll().execute()).toEqual([]);
        const assistant = await t.db
          .selectFrom('messages')
          .selectAll()
          .where('role', '=', 'assistant')
          .execute();
        expect(assistant).toEqual([]);
        const after = await t.db
          .selectFrom('threads')
          .selectAll()
          .where('id', '=', thread.id)
          .executeTakeFirstOrThrow();
        expect(after).toMatchObject({ cursor: 0, lease_owner: 'intruder' });
        const outbound = await queues.queue('outbound-telegram').getJobCounts();
        expect(Object.values(outbound).reduce((a, b) => a + b, 0)).toBe(0);
      },
    );
  });
});

/** Echoes, and records the model each call asked for. */
class ModelRecordingProvider implements LlmProvider {
  readonly name = 'echo';
  readonly models: string[] = [];
  readonly #echo = new EchoProvider();
  async complete(params: LlmCompleteParams, options: LlmCallOptions) {
    this.models.push(options.model);
    return this.#echo.complete(params, options);
  }
}

describe('a task firing', () => {
  it("runs with its owner's /defaults under the chat's settings; a task without an owner, with the chat's", async () => {
    const thread = await registerThread(t.db, { jid: 'telegram:-43' });
    const owner = await upsertUser(t.db, {
      channel: 'telegram',
      platformUserId: '4301',
      name: 'Owen',
      username: null,
    });
    await t.db
      .updateTable('users')
      .set({ config: JSON.stringify({ model: 'owners-model' }) })
      .where('id', '=', owner.id)
      .execute();
    const task = (ownerUserId: number | null) =>
      insertTask(t.db, {
        threadId: thread.id,
        prompt: 'summarize the day',
        scheduleKind: 'once',
        scheduleValue: new Date().toISOString(),
        timezone: 'UTC',
        contextMode: 'isolated',
        misfirePolicy: 'run-once',
        nextRunAt: new Date(),
        createdBy: 'agent:telegram:-43',
        ownerUserId,
      });
    const owned = await task(owner.id);
    const unowned = await task(null);
    const llm = new ModelRecordingProvider();
    await withProcessor(
      llm,
      TASKS_QUEUE,
      (processor, job, token) => processor.processTask(job, token),
      async (queues, results) => {
        const tasks = queues.queue(TASKS_QUEUE);
        await tasks.add('fire', { taskId: owned.id, slot: Date.now() });
        await waitFor('the owned task run', () => results.length === 1);
        await tasks.add('fire', { taskId: unowned.id, slot: Date.now() });
        await waitFor('the unowned task run', () => results.length === 2);
      },
    );
    expect(llm.models).toEqual(['owners-model', DEFAULT_BEHAVIOUR.model]);
  });
});
