/**
 * Fault injection: one gateway, three workers and two schedulers as real processes on a
 * Postgres cluster and a Redis server of the suite's own, under a load of uniquely
 * tokened messages in many threads, while a plan kills workers, the gateway and a
 * scheduler with SIGKILL, restarts Redis empty and Postgres in immediate mode, drops the
 * platform's connections and delays the model. Then it counts what a user would notice.
 *
 * The short version (about two minutes) runs in the test command; `CHAOS_MINUTES=15`
 * runs the long one by hand. The report is printed and kept in tests/artifacts/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createDatabase, registerThread } from '@gridbot/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeLlmServer, startFakeOpenAi } from '../support/fake-openai.ts';
import { REPO_ROOT } from '../support/gridbot-process.ts';
import { PrivatePostgres } from '../support/private-postgres.ts';
import { PrivateRedis } from '../support/private-redis.ts';
import { BOT_TOKEN } from '../support/telegram-fake.ts';
import { ON_REDIS, TEST_MODE } from '../support/test-mode.ts';
import { sleep, waitFor } from '../support/wait-for.ts';
import { ChaosFleet, type ChaosRole } from './chaos-fleet.ts';
import { ChaosPlatform, isDraft } from './chaos-platform.ts';
import {
  buildReport,
  type FaultRecord,
  formatReport,
  type SentMessage,
  tokensIn,
} from './chaos-report.ts';
import { FAULT_KINDS, type FaultKind, planFaults } from './fault-plan.ts';

const MINUTES = Number(process.env.CHAOS_MINUTES ?? 0);
/** How long messages keep coming; faults stop a quiet tail before the end. */
const LOAD_MS = MINUTES > 0 ? MINUTES * 60_000 : 100_000;
const CHATS = 16;
const WORKERS = 3;
const LLM_DELAY_MS = 4_000;

let pgServer: PrivatePostgres;
let redis: PrivateRedis;
let llm: FakeLlmServer;
let platform: ChaosPlatform;
const fleet = new ChaosFleet();
let llmDelayMs = 0;
const nextSilentChat = -7_000_000;

/** The model answers with the tokens of the new messages (the last user turn) only. */
function answer(body: Record<string, unknown>) {
  const messages = (body.messages ?? []) as Array<{ role: string; content: unknown }>;
  const last = [...messages].reverse().find((m) => m.role === 'user');
  const text = typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content);
  const tokens = tokensIn(text ?? '');
  // Streamed a word at a time: the longer answers outlast the gateway's placeholder delay,
  // so replies are drafted in placeholder messages and edited, under the same faults.
  return { text: `ack ${tokens.join(' ')}`, delayMs: llmDelayMs, tokenIntervalMs: 400 };
}

beforeAll(async () => {
  [pgServer, llm, platform] = await Promise.all([
    PrivatePostgres.start(),
    startFakeOpenAi(answer),
    ChaosPlatform.start(),
  ]);
  if (ON_REDIS) redis = await PrivateRedis.start();
  await pgServer.migratedDatabase('gridbot');

  const dataDir = `/tmp/gridbot-chaos-${process.pid}`;
  const env = (port: number): Record<string, string> => ({
    DATABASE_URL: pgServer.databaseUrl('gridbot'),
    ...(ON_REDIS && { REDIS_URL: redis.url }),
    QUEUE_PREFIX: '{chaos}',
    LOG_LEVEL: 'info',
    HEALTH_PORT: String(port),
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    LLM_PROVIDER: 'openai',
    OPENAI_API_KEY: 'sk-chaos-test',
    OPENAI_BASE_URL: llm.baseURL,
    LLM_MODEL: 'chaos-model',
    AGENT_RUNTIME: 'process',
    AGENT_IDLE_MS: '120000',
    WORKER_CONCURRENCY: '4',
    HEARTBEAT_MS: '1000',
    DATA_DIR: dataDir,
    WORKSPACE_DIR: `${dataDir}/workspaces`,
    DASHBOARD_TOKEN: 'chaos-dashboard-token-0123456789',
    // A load generator, not a person: every message must start a run.
    USER_TRIGGERS_PER_MINUTE: '0',
  });
  const gateway = await fleet.add('gateway', ['gateway', '--channel', 'telegram'], (port) => ({
    ...env(port),
    ...platform.gatewayEnv(port),
  }));
  for (let i = 1; i <= WORKERS; i++) await fleet.add(`worker-${i}`, ['worker'], env);
  for (let i = 1; i <= 2; i++) await fleet.add(`scheduler-${i}`, ['scheduler'], env);
  await Promise.all(fleet.roles.map((role) => role.start()));
  void gateway;
}, 120_000);

afterAll(async () => {
  await fleet.stopAll();
  await Promise.allSettled([pgServer?.destroy(), redis?.stop(), llm?.close(), platform?.close()]);
});

/** Registers a group chat so that `@Andy …` is answered there. */
async function register(chatIds: number[]): Promise<void> {
  const db = createDatabase({ connectionString: pgServer.databaseUrl('gridbot'), max: 1 });
  try {
    for (const chatId of chatIds) await registerThread(db, { jid: `telegram:${chatId}` });
  } finally {
    await db.destroy();
  }
}

describe('fault injection', () => {
  it(
    'loses no message, answers none twice, never overlaps runs, and no role crashes',
    async () => {
      const chats = Array.from({ length: CHATS }, (_, i) => -6_000_000 - i);
      const plan = planFaults(LOAD_MS, {
        kinds: ON_REDIS ? FAULT_KINDS : FAULT_KINDS.filter((kind) => kind !== 'redis-restart'),
      });
      await register([...chats, ...plan.map((_, i) => nextSilentChat - i)]);
      const sent: SentMessage[] = [];
      const faults: FaultRecord[] = [];
      const restarts: Promise<void>[] = [];
      const started = Date.now();
      const loadEnds = started + LOAD_MS;
      let workerTurn = 0;
      let schedulerTurn = 0;

      const say = async (chatId: number, seq: number) => {
        const token = `tok-${-chatId}-${seq}`;
        const ackAt = await platform.deliver(
          { chatId, userId: 5_000 + (-chatId % 1_000) },
          `@Andy ${token}`,
        );
        sent.push({ chatId, seq, token, ackAt });
      };
      const chatLoad = async (chatId: number) => {
        await sleep(Math.random() * 3_000);
        for (let seq = 0; Date.now() < loadEnds; seq++) {
          await say(chatId, seq);
          await sleep(1_500 + Math.random() * 3_000);
        }
      };

      const restartLater = (role: ChaosRole, ms: number) => {
        restarts.push(sleep(ms).then(() => role.start()));
      };
      const inject = async (kind: FaultKind): Promise<FaultRecord> => {
        const at = Date.now();
        switch (kind) {
          case 'kill-worker': {
            const workers = fleet.byPrefix('worker-');
            const victim = workers[workerTurn++ % workers.length]!;
            await victim.kill();
            restartLater(victim, 2_000);
            return { kind, at, healedAt: at };
          }
          case 'kill-scheduler': {
            const victim = fleet.byPrefix('scheduler-')[schedulerTurn++ % 2]!;
            await victim.kill();
            restartLater(victim, 2_000);
            return { kind, at, healedAt: at };
          }
          case 'kill-gateway': {
            const gateway = fleet.byPrefix('gateway')[0]!;
            await gateway.kill();
            await sleep(1_000);
            await gateway.start();
            return { kind, at, healedAt: Date.now() };
          }
          case 'redis-restart':
            await redis.stop();
            await sleep(2_000);
            await redis.start();
            return { kind, at, healedAt: Date.now() };
          case 'postgres-restart':
            await pgServer.crash();
            await sleep(1_500);
            await pgServer.start();
            return { kind, at, healedAt: Date.now() };
          case 'llm-delay':
            llmDelayMs = LLM_DELAY_MS;
            await sleep(6_000);
            llmDelayMs = 0;
            return { kind, at, healedAt: Date.now() };
          case 'platform-drop':
            platform.dropping = true;
            await sleep(4_000);
            platform.dropping = false;
            return { kind, at, healedAt: Date.now() };
        }
      };
      const faultPlan = async () => {
        for (const [index, fault] of plan.entries()) {
          await sleep(Math.max(0, started + fault.atMs - 400 - Date.now()));
          // A thread whose last message lands just before the fault, then goes silent:
          // no later traffic can hide its loss.
          void say(nextSilentChat - index, 0);
          await sleep(400);
          faults.push(await inject(fault.kind));
        }
      };

      await Promise.all([...chats.map(chatLoad), faultPlan()]);
      await Promise.all(restarts);

      // A placeholder a crash left behind still reads as a draft (" …"): not an answer.
      const replies = () => platform.replies.filter((r) => !isDraft(r));
      const report = () => buildReport({ sent, replies: replies(), runs: [], faults });
      await waitFor('every message answered', () => report().lost.length === 0, 90_000, 500).catch(
        () => {},
      );
      // Late duplicates would arrive now.
      await sleep(5_000);

      const db = createDatabase({ connectionString: pgServer.databaseUrl('gridbot'), max: 1 });
      const runs = await db
        .selectFrom('agent_runs')
        .select(['thread_id', 'status', 'started_at', 'finished_at'])
        .execute();
      const recorded = await sql<{
        id: string;
      }>`select jsonb_array_elements_text(platform_message_ids) as id from outbox`.execute(db);
      const stuck = await db
        .selectFrom('agent_runs')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('status', '=', 'running')
        .executeTakeFirstOrThrow();
      await db.destroy();
      const final = buildReport({
        sent,
        replies: replies(),
        recordedMessageIds: new Set(recorded.rows.map((r) => r.id)),
        runs: runs.map((r) => ({
          threadId: r.thread_id,
          status: r.status,
          startedAt: r.started_at,
          finishedAt: r.finished_at,
        })),
        faults,
      });
      const text = formatReport(final);
      console.log(
        `chaos, ${TEST_MODE} mode (${(LOAD_MS / 60_000).toFixed(1)} min of load, ${faults.length} faults, ${platform.redeliveries} webhook redeliveries)\n${text}\nruns ${runs.length}, still marked running ${stuck.n}, crashes ${fleet.crashes.length}\nstreamed into placeholders ${platform.replies.filter((r) => r.edits > 0).length} replies; placeholders left as drafts by a crash ${platform.replies.filter(isDraft).length}`,
      );
      await mkdir(`${REPO_ROOT}tests/artifacts`, { recursive: true });
      await writeFile(
        `${REPO_ROOT}tests/artifacts/chaos-report${ON_REDIS ? '' : `-${TEST_MODE}`}.json`,
        JSON.stringify({ ...final, faults, crashes: fleet.crashes }, null, 2),
      );

      const logDir = `${REPO_ROOT}tests/artifacts/chaos-logs${ON_REDIS ? '' : `-${TEST_MODE}`}`;
      await mkdir(logDir, { recursive: true });
      for (const role of fleet.roles) {
        for (const [n, proc] of role.generations.entries())
          await writeFile(`${logDir}/${role.name}-${n}.log`, proc.output());
      }
      const twice = new Set(final.answeredTwice);
      await writeFile(
        `${logDir}/replies.json`,
        JSON.stringify(
          platform.replies.filter((r) => tokensIn(r.text).some((t) => twice.has(t))),
          null,
          2,
        ),
      );

      expect(fleet.crashes.map((c) => `${c.role} exited ${c.code}: ${c.tail}`)).toEqual([]);
      expect(final.lost).toEqual([]);
      expect(final.answeredTwice).toEqual([]);
      expect(final.identicalRepliesTwice).toBe(0);
      expect(final.overlappingRuns).toBe(0);
      expect(final.orderViolations).toBe(0);
      expect(final.sent).toBeGreaterThan(LOAD_MS / 1_000);
    },
    LOAD_MS + 300_000,
  );
});
