import { DEFAULT_BEHAVIOUR, type LlmCompleteParams } from '@gridbot/core';
import { acquireLease, insertMessage, registerThread } from '@gridbot/db';
import { EchoProvider, type LlmCallOptions, type LlmProvider } from '@gridbot/llm';
import { PipelineQueues, RedisTransport, THREADS_QUEUE, ThreadEventHub } from '@gridbot/queue';
import { defaultAgentCommand, ProcessRuntime, WarmPool } from '@gridbot/runner';
import { createMetrics } from '@gridbot/service';
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

describe('DrainProcessor fencing', () => {
  it('discards the reply of a run whose lease was taken over: nothing committed, nothing sent', async () => {
    const logger = pino({ level: 'silent' });
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
      llm: new LeaseStealingProvider(thread.id),
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
      THREADS_QUEUE,
      async (job, token) => {
        const result = await processor.process(job, token);
        results.push(result);
        return result;
      },
      {},
    );
    try {
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
    } finally {
      await worker.close();
      await queues.close();
      await runtime.close();
      await transport.close();
    }
  });
});
