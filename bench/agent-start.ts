/**
 * Agent start: cold start through the Docker runtime (container create → first reply),
 * a warm round trip on a kept-alive agent (initialize → reply), and a bare `docker run --rm`
 * of the same image, median of N each.
 *
 *   node bench/agent-start.ts [--runs 10] [--image gridbot-agent:test] [--out bench/results/agent-start.json]
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import {
  DEFAULT_BEHAVIOUR,
  type InitializeParams,
  type LlmCompleteParams,
  PROTOCOL_VERSION,
} from '@gridbot/core';
import { EchoProvider } from '@gridbot/llm';
import { AgentSession, DockerRuntime, WarmPool } from '@gridbot/runner';
import { pino } from 'pino';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    image: { type: 'string', default: 'gridbot-agent:test' },
    out: { type: 'string', default: 'bench/results/agent-start.json' },
  },
});
const runs = Number(values.runs);
const logger = pino({ level: 'silent' });
const echo = new EchoProvider();

function init(runId: number): InitializeParams {
  return {
    protocolVersion: PROTOCOL_VERSION,
    assistantName: 'Andy',
    run: { id: runId, trigger: 'message' },
    thread: { id: 1, jid: 'telegram:-1', title: 'Bench', isGroup: true, isMain: false },
    config: DEFAULT_BEHAVIOUR,
    newMessages: [
      {
        id: runId,
        role: 'user',
        senderName: 'Bench',
        text: 'ping',
        sentAt: new Date().toISOString(),
      },
    ],
    history: [],
    memory: { thread: [], global: [] },
    approvals: [],
    now: new Date().toISOString(),
  };
}

const handlers = {
  'llm.complete': (params: unknown) =>
    echo.complete(params as LlmCompleteParams, {
      model: 'echo',
      temperature: 0,
      topP: 1,
      maxTokens: 100,
    }),
};

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

const workspace = await mkdtemp(join(tmpdir(), 'gridbot-bench-'));
const runtime = new DockerRuntime({
  image: values.image,
  workerId: 'bench',
  fleet: `bench-${process.pid}`,
  user: '1000:1000',
  logger,
});
await runtime.check();
const pool = new WarmPool({ runtime, idleMs: 60_000, logger });
const cold: number[] = [];
const warm: number[] = [];
const bare: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    cold.push(
      await time(async () => {
        const agent = await runtime.start({ threadId: 1, runId: i, workspaceDir: workspace });
        await new AgentSession({
          agent,
          init: init(i),
          handlers,
          timeoutMs: 30_000,
          logger,
          keepAlive: true,
        }).run();
        void agent.kill();
      }),
    );
  }
  const first = await pool.acquire({ threadId: 2, runId: 0, workspaceDir: workspace });
  const primer = new AgentSession({
    agent: first.agent,
    init: init(0),
    handlers,
    timeoutMs: 30_000,
    logger,
    keepAlive: true,
  });
  await primer.run();
  await pool.release(2, first.agent, primer.reusable);
  for (let i = 1; i <= runs; i++) {
    warm.push(
      await time(async () => {
        const { agent, reused } = await pool.acquire({
          threadId: 2,
          runId: i,
          workspaceDir: workspace,
        });
        if (!reused) throw new Error('the warm agent was not reused');
        const session = new AgentSession({
          agent,
          init: init(i),
          handlers,
          timeoutMs: 30_000,
          logger,
          keepAlive: true,
        });
        await session.run();
        await pool.release(2, agent, session.reusable);
      }),
    );
  }
  for (let i = 0; i < runs; i++) {
    bare.push(
      await time(() =>
        run('docker', ['run', '--rm', '--network', 'none', values.image, 'node', '-e', '0']),
      ),
    );
  }
} finally {
  await pool.close();
  await runtime.close();
  await rm(workspace, { recursive: true, force: true });
}

const result = {
  benchmark: 'agent-start',
  date: new Date().toISOString(),
  image: values.image,
  runs,
  median_ms: {
    cold_start_through_runtime: Math.round(median(cold) * 10) / 10,
    warm_round_trip: Math.round(median(warm) * 10) / 10,
    bare_docker_run: Math.round(median(bare) * 10) / 10,
  },
  target: { warm_round_trip_ms: 10 },
};
await mkdir(dirname(values.out), { recursive: true });
await writeFile(values.out, `${JSON.stringify(result, null, 2)}\n`);
console.table(result.median_ms);
console.log(`written to ${values.out}`);
