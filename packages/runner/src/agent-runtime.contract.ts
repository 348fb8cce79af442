import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AgentProtocolError,
  type InitializeParams,
  type LlmCompleteParams,
  type RunFinishParams,
} from '@gridbot/core';
// The runner does not depend on @gridbot/llm; the worker wires the two together.
import { EchoProvider } from '@gridbot/llm';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleInit } from '../../../tests/support/sample-init.ts';
import type { AgentProcess, AgentRuntime, AgentSpec } from './agent-runtime.ts';
import { AgentSession, type AgentSessionOptions } from './agent-session.ts';
import { WarmPool } from './warm-pool.ts';

/** Host directory of the fixture agents (`tests/fixtures/agents/`), for runtimes to map a fixture name to a command. */
export const AGENT_FIXTURES_DIR = fileURLToPath(
  new URL('../../../tests/fixtures/agents/', import.meta.url),
);

export interface AgentRuntimeContractOptions {
  /** Where the per-test workspaces are created; default the OS temp directory. */
  workspaceRoot?: string;
}

/**
 * Environment variables an agent may see. The runtime sets the first six; the rest are
 * harmless basics a container image or shell adds. Anything else (a key, a token, the
 * worker's own settings) must not reach an agent.
 */
const ALLOWED_ENV = new Set([
  'GRIDBOT_RUN_ID',
  'GRIDBOT_THREAD_ID',
  'HOME',
  'LANG',
  'PATH',
  'TZ',
  'HOSTNAME',
  'NODE_VERSION',
  'YARN_VERSION',
  'TERM',
  'PWD',
  'SHLVL',
  '_',
]);

const SECRET = 'sk-live-contract-do-not-leak';

const logger = pino({ level: 'silent' });

const baseInit: InitializeParams = sampleInit();

const echo = new EchoProvider();
const handlers: AgentSessionOptions['handlers'] = {
  'llm.complete': (params) =>
    echo.complete(params as LlmCompleteParams, {
      model: 'echo',
      temperature: 0.7,
      topP: 1,
      maxTokens: 1000,
    }),
  'chat.send': async () => ({ ok: true }),
};

async function protocolError(result: Promise<unknown>): Promise<AgentProtocolError> {
  const error = await result.then(
    () => expect.unreachable('run() should have rejected'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgentProtocolError);
  return error as AgentProtocolError;
}

/**
 * Registers the behaviour every `AgentRuntime` must show, as vitest `describe`/`it` blocks:
 * the default agent answers through `AgentSession`, a warm agent serves a second run
 * through `WarmPool`, early exits and hangs end as `AgentProtocolError`s, no secret of the
 * worker's environment reaches an agent, the agent's cwd is the workspace and `close()`
 * stops live agents. `create(fixture)` builds a runtime whose agents run the default agent
 * (`null`) or the named file of `AGENT_FIXTURES_DIR` (e.g. `'exit-early.mjs'`); the suite
 * closes every runtime it creates. Call it from an integration test file.
 */
export function describeAgentRuntimeContract(
  name: string,
  create: (fixture: string | null) => AgentRuntime | Promise<AgentRuntime>,
  options: AgentRuntimeContractOptions = {},
): void {
  describe(`AgentRuntime contract: ${name}`, () => {
    let workspace: string;
    const runtimes: AgentRuntime[] = [];
    const pools: WarmPool[] = [];

    beforeEach(async () => {
      workspace = await mkdtemp(join(options.workspaceRoot ?? tmpdir(), 'gridbot-contract-'));
    });

    afterEach(async () => {
      delete process.env.GRIDBOT_TEST_SECRET;
      await Promise.allSettled(pools.splice(0).map((pool) => pool.close()));
      await Promise.allSettled(runtimes.splice(0).map((runtime) => runtime.close()));
      // Files an agent wrote may belong to another user (containers); best effort.
      await rm(workspace, { recursive: true, force: true }).catch(() => {});
    });

    async function runtimeFor(fixture: string | null): Promise<AgentRuntime> {
      const runtime = await create(fixture);
      runtimes.push(runtime);
      return runtime;
    }

    function specFor(runId = baseInit.run.id): AgentSpec {
      return { threadId: baseInit.thread.id, runId, workspaceDir: workspace };
    }

    async function start(fixture: string | null): Promise<AgentProcess> {
      return (await runtimeFor(fixture)).start(specFor());
    }

    function runSession(
      agent: AgentProcess,
      overrides: Partial<AgentSessionOptions> = {},
    ): { session: AgentSession; result: Promise<RunFinishParams> } {
      const session = new AgentSession({
        agent,
        init: baseInit,
        handlers,
        timeoutMs: 30_000,
        logger,
        ...overrides,
      });
      const result = session.run();
      result.catch(() => {});
      return { session, result };
    }

    it('runs the default agent: one answered run, then it exits on shutdown', async () => {
      const agent = await start(null);
      const { result } = runSession(agent);
      await expect(result).resolves.toMatchObject({
        reply: expect.stringMatching(/^Echo: \[Alice, [\d: -]+\] hello$/),
        status: 'ok',
      });
      await expect(agent.exited).resolves.toMatchObject({ code: 0 });
    });

    it('serves a second run on the same warm agent through WarmPool', async () => {
      const runtime = await runtimeFor(null);
      const pool = new WarmPool({ runtime, idleMs: 60_000, logger });
      pools.push(pool);

      const first = await pool.acquire(specFor(11));
      expect(first.reused).toBe(false);
      const one = runSession(first.agent, { keepAlive: true });
      await expect(one.result).resolves.toMatchObject({
        reply: expect.stringMatching(/^Echo: \[Alice, [\d: -]+\] hello$/),
      });
      expect(one.session.reusable).toBe(true);
      await pool.release(baseInit.thread.id, first.agent, one.session.reusable);
      expect(pool.idleCount).toBe(1);

      const second = await pool.acquire(specFor(12));
      expect(second).toEqual({ agent: first.agent, reused: true });
      const init: InitializeParams = {
        ...baseInit,
        run: { id: 12, trigger: 'message' },
        newMessages: [
          { id: 2, role: 'user', senderName: 'Bob', text: 'again', sentAt: baseInit.now },
        ],
      };
      const two = runSession(second.agent, { init, keepAlive: true });
      // Fresh state: nothing of the first run's messages.
      await expect(two.result).resolves.toMatchObject({
        reply: expect.stringMatching(/^Echo: \[Bob, [\d: -]+\] again$/),
      });
      await pool.release(baseInit.thread.id, second.agent, two.session.reusable);

      await pool.close();
      // Closing shut the idle agent down politely.
      await expect(first.agent.exited).resolves.toMatchObject({ code: 0 });
    });

    it('reports an agent that exits early with its exit code and stderr', async () => {
      const agent = await start('exit-early.mjs');
      const error = await protocolError(runSession(agent).result);
      expect(error.code).toBe('exited');
      expect(error.message).toMatch(/exited with code 3 before finishing the run/);
      expect(error.message).toContain('boom');
    });

    it('times out an agent that never finishes, and it is gone afterwards', async () => {
      const agent = await start('never-finish.mjs');
      const error = await protocolError(runSession(agent, { timeoutMs: 500 }).result);
      expect(error.code).toBe('timeout');
      await expect(agent.exited).resolves.toBeDefined();
    });

    it('gives the agent no secret of the worker environment, only allowed variables', async () => {
      process.env.GRIDBOT_TEST_SECRET = SECRET;
      const agent = await start('print-env.mjs');
      const { reply } = await runSession(agent).result;
      expect(reply).not.toContain(SECRET);
      const seen = JSON.parse(reply ?? '{}') as {
        keys: string[];
        cwd: string;
        env: Record<string, string>;
      };
      expect(seen.keys).not.toContain('GRIDBOT_TEST_SECRET');
      expect(seen.keys.filter((key) => !ALLOWED_ENV.has(key))).toEqual([]);
      expect(seen.env).toMatchObject({
        GRIDBOT_THREAD_ID: String(baseInit.thread.id),
        GRIDBOT_RUN_ID: String(baseInit.run.id),
        // HOME is the workspace, so tools writing dotfiles stay in it.
        HOME: seen.cwd,
      });
    });

    it("runs the agent with the workspace as its cwd (files it writes land in the thread's workspace)", async () => {
      const agent = await start('write-workspace.mjs');
      const { reply } = await runSession(agent).result;
      expect(reply).toMatch(/^wrote /);
      await expect(readFile(join(workspace, 'hello.txt'), 'utf8')).resolves.toBe('from agent');
    });

    it('survives writes to an agent that has exited', async () => {
      const agent = await start('exit-early.mjs');
      agent.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize' })}\n`);
      await agent.exited;
      // An EPIPE here must not become an unhandled 'error' that crashes the worker.
      for (let i = 0; i < 3; i++) agent.stdin.write('{"jsonrpc":"2.0","method":"shutdown"}\n');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await agent.kill();
    });

    it('close() stops a live agent, and is safe to call twice', async () => {
      const runtime = await runtimeFor('never-finish.mjs');
      const agent = await runtime.start(specFor());
      // Wait until it runs, so the stop is not just a cancelled start.
      agent.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize' })}\n`);
      await new Promise((resolve) => agent.stdout.once('data', resolve));
      await runtime.close();
      await expect(agent.exited).resolves.toBeDefined();
      await runtime.close();
    });
  });
}
