import { createServer, type Socket } from 'node:net';
import { registerThread } from '@gridbot/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/free-port.ts';
import { REPO_ROOT, spawnGridbot } from './support/gridbot-process.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';
import { BOT_TOKEN, type ChatSpec, withoutTimes } from './support/telegram-fake.ts';
import { ON_REDIS } from './support/test-mode.ts';
import { waitFor } from './support/wait-for.ts';

const chat: ChatSpec = {
  chatId: -600100,
  type: 'group',
  title: 'Ops',
  userId: 960,
  firstName: 'Olga',
};

let h: PipelineHarness;

beforeAll(async () => {
  h = await PipelineHarness.create();
  await registerThread(h.db.db, { jid: `telegram:${chat.chatId}` });
});

afterAll(async () => {
  await h?.close();
});

function repliesCount() {
  return h.telegram.botMessages(chat.chatId).length;
}

describe('every role: fleet registration, health, metrics, logs, graceful stop', () => {
  it('registers in instances, serves health and metrics, never logs the token, and stops on SIGTERM', async () => {
    const gatewayPort = await freePort();
    const workerPort = await freePort();
    const gateway = await h.start(['gateway', '--channel', 'telegram'], {
      HEALTH_PORT: String(gatewayPort),
    });
    const worker = await h.start(['worker'], { HEALTH_PORT: String(workerPort) });

    const instances = await h.db.db.selectFrom('instances').selectAll().orderBy('role').execute();
    expect(instances.map((i) => [i.role, i.status, i.version])).toEqual([
      ['gateway-telegram', 'up', '0.1.0'],
      ['worker', 'up', '0.1.0'],
    ]);
    expect(instances.map((i) => i.pid).sort()).toEqual(
      [gateway.child.pid, worker.child.pid].sort(),
    );

    await h.telegram.say(chat, '@Andy status?');
    await waitFor('a reply', () => repliesCount() === 1);

    expect((await fetch(`http://127.0.0.1:${workerPort}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${gatewayPort}/readyz`);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: ON_REDIS
        ? { postgres: 'ok', redis: 'ok', started: 'ok' }
        : { postgres: 'ok', queues: 'ok', started: 'ok' },
    });
    // A job counts as processed once the queue has marked it completed, which may come just
    // after the reply is visible (the Postgres queue's completion is the slower one).
    const metricsOf = async (port: number) =>
      (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const processed = /gridbot_jobs_processed_total\{queue="threads",role="worker"\} [1-9]/;
    await waitFor('the worker to count the job', async () =>
      processed.test(await metricsOf(workerPort)),
    );
    const metrics = await metricsOf(workerPort);
    expect(metrics).toMatch(processed);
    expect(metrics).toMatch(
      /gridbot_run_duration_seconds_count\{role="worker",outcome="succeeded"\} [1-9]/,
    );
    expect(metrics).toContain('gridbot_queue_depth{queue="threads",state="waiting",role="worker"}');
    const delivered =
      /gridbot_jobs_processed_total\{queue="outbound-telegram",role="gateway-telegram"\} [1-9]/;
    await waitFor('the gateway to count the delivery', async () =>
      delivered.test(await metricsOf(gatewayPort)),
    );
    expect(await metricsOf(gatewayPort)).toMatch(delivered);

    expect(gateway.output()).not.toContain(BOT_TOKEN);
    expect(gateway.output()).not.toContain(BOT_TOKEN.split(':')[1]);

    const started = Date.now();
    expect(await worker.stop()).toBe(0);
    expect(await gateway.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    const after = await h.db.db.selectFrom('instances').select('status').execute();
    expect(after.map((i) => i.status)).toEqual(['down', 'down']);
  });

  it('hands a run in flight back within the bound on SIGTERM, and another worker answers it', async () => {
    await h.start(['gateway', '--channel', 'telegram']);
    const stuck = await h.start(['worker'], {
      SHUTDOWN_TIMEOUT_MS: '3000',
      AGENT_COMMAND: `${process.execPath} ${REPO_ROOT}tests/fixtures/agents/never-finish.mjs`,
    });
    const before = repliesCount();
    await h.telegram.say(chat, '@Andy take your time');
    await waitFor('a run in flight', async () => {
      const running = await h.db.db
        .selectFrom('agent_runs')
        .select('id')
        .where('status', '=', 'running')
        .execute();
      return running.length === 1;
    });

    const started = Date.now();
    expect(await stuck.stop(15_000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(stuck.output()).toContain('runs still in flight at shutdown');
    const handedBack = await h.db.db
      .selectFrom('agent_runs')
      .select(['status', 'error', 'attempt'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(handedBack).toMatchObject({
      status: 'failed',
      error: 'the worker is stopping; the run was handed back to the queue',
    });

    await h.start(['worker']);
    const replies = await waitFor(
      'the reply from the next worker',
      () => repliesCount() > before && h.telegram.botMessages(chat.chatId),
      20_000,
    );
    expect(withoutTimes(replies.at(-1)!.text)).toContain('[Olga] @Andy take your time');
    expect(replies).toHaveLength(before + 1);
    // Handing back used no attempt: the next run is the same attempt again.
    const runs = await h.db.db
      .selectFrom('agent_runs')
      .select(['status', 'attempt'])
      .orderBy('id', 'desc')
      .limit(2)
      .execute();
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'failed']);
    expect(runs[0]!.attempt).toBe(runs[1]!.attempt);
  });

  it('takes a stop signal during start-up (here, Postgres not answering yet) and exits at once', async () => {
    // A server that accepts connections and never answers: the worker waits in start-up.
    const held: Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      const proc = spawnGridbot(
        ['worker'],
        h.env({
          DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/gridbot`,
          HEALTH_PORT: String(await freePort()),
        }),
      );
      await waitFor('the worker to connect to Postgres', () => held.length > 0, 10_000);
      const sent = Date.now();
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(143);
      expect(proc.child.signalCode).toBeNull();
      expect(Date.now() - sent).toBeLessThan(2_000);
    } finally {
      for (const socket of held) socket.destroy();
      silent.close();
    }
  });
});
