import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  AgentStartError,
  DEFAULT_BEHAVIOUR,
  type InitializeParams,
  PROTOCOL_VERSION,
} from '@gridbot/core';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_FIXTURES_DIR, describeAgentRuntimeContract } from './agent-runtime.contract.ts';
import { AgentSession } from './agent-session.ts';
import { defaultAgentCommand } from './default-agent-command.ts';
import { ProcessRuntime } from './process-runtime.ts';

const fixture = (name: string) => join(AGENT_FIXTURES_DIR, name);

describeAgentRuntimeContract(
  'process',
  (name) =>
    new ProcessRuntime({
      command: name ? [process.execPath, fixture(name)] : defaultAgentCommand(),
      logger: pino({ level: 'silent' }),
      killGraceMs: 500,
    }),
);

/** A pino logger whose records are kept for assertions. */
function capturingLogger() {
  const records: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line) records.push(JSON.parse(line));
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), records };
}

const printEnvInit: InitializeParams = {
  protocolVersion: PROTOCOL_VERSION,
  assistantName: 'Andy',
  run: { id: 11, trigger: 'message' },
  thread: { id: 4, jid: 'telegram:-100', title: null, isGroup: false, isMain: false },
  config: DEFAULT_BEHAVIOUR,
  newMessages: [],
  history: [],
  memory: { thread: [], global: [] },
  approvals: [],
  now: '2025-01-01T00:00:00Z',
};

let workspace: string;
const runtimes: ProcessRuntime[] = [];

function makeRuntime(command: string[], killGraceMs = 2_000) {
  const { logger, records } = capturingLogger();
  const runtime = new ProcessRuntime({ command, logger, killGraceMs });
  runtimes.push(runtime);
  return { runtime, records };
}

beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'gridbot-runtime-'));
});

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.close()));
  await rm(workspace, { recursive: true, force: true });
});

describe('ProcessRuntime', () => {
  it('creates the workspace and warns once per runtime that agents are not isolated', async () => {
    const { runtime, records } = makeRuntime([process.execPath, fixture('never-finish.mjs')]);
    const workspaceDir = join(workspace, 'threads', '4');
    await runtime.start({ threadId: 4, runId: 1, workspaceDir });
    await runtime.start({ threadId: 4, runId: 2, workspaceDir });
    expect((await stat(workspaceDir)).isDirectory()).toBe(true);
    const warnings = records.filter((r) => r.level === 40 && /NOT isolate/.test(r.msg));
    expect(warnings).toHaveLength(1);
  });

  it('turns a missing program into a clear error', async () => {
    const { runtime } = makeRuntime(['/nonexistent/gridbot-agent']);
    const error = await runtime
      .start({ threadId: 1, runId: 1, workspaceDir: workspace })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentStartError);
    expect((error as AgentStartError).code).toBe('spawn_failed');
    expect((error as Error).message).toContain('/nonexistent/gridbot-agent');
    expect((error as Error).message).toContain('ENOENT');
  });

  it('escalates to SIGKILL when the agent ignores SIGTERM; kill is idempotent', async () => {
    const { runtime } = makeRuntime([process.execPath, fixture('ignore-sigterm.mjs')], 200);
    const agent = await runtime.start({ threadId: 1, runId: 1, workspaceDir: workspace });
    // Wait until it runs (its SIGTERM handler is installed before it reads stdin).
    agent.stdin.write('{"jsonrpc":"2.0","id":1,"method":"initialize"}\n');
    await new Promise((resolve) => agent.stdout.once('data', resolve));
    await Promise.all([agent.kill(), agent.kill()]);
    await expect(agent.exited).resolves.toEqual({ code: null, signal: 'SIGKILL' });
    await agent.kill();
  });

  it('gives the agent exactly the scrubbed environment, with the workspace as cwd and HOME', async () => {
    process.env.GRIDBOT_TEST_SECRET = 'sk-live-do-not-leak';
    try {
      const { runtime } = makeRuntime([process.execPath, fixture('print-env.mjs')]);
      const agent = await runtime.start({ threadId: 4, runId: 11, workspaceDir: workspace });
      const session = new AgentSession({
        agent,
        init: printEnvInit,
        handlers: {},
        timeoutMs: 5_000,
        logger: pino({ level: 'silent' }),
      });
      const { reply } = await session.run();
      const seen = JSON.parse(reply ?? '{}') as { keys: string[]; cwd: string; env: object };
      expect(seen.keys).toEqual([
        'GRIDBOT_RUN_ID',
        'GRIDBOT_THREAD_ID',
        'HOME',
        'LANG',
        'PATH',
        'TZ',
      ]);
      expect(seen.env).toEqual({
        GRIDBOT_RUN_ID: '11',
        GRIDBOT_THREAD_ID: '4',
        HOME: workspace,
        LANG: 'C.UTF-8',
        PATH: '/usr/local/bin:/usr/bin:/bin',
        TZ: 'UTC',
      });
      expect(seen.cwd).toBe(workspace);
    } finally {
      delete process.env.GRIDBOT_TEST_SECRET;
    }
  });

  it('close() stops every live agent', async () => {
    const { runtime } = makeRuntime([process.execPath, fixture('never-finish.mjs')]);
    const agents = await Promise.all(
      [1, 2].map((runId) => runtime.start({ threadId: 1, runId, workspaceDir: workspace })),
    );
    await runtime.close();
    for (const agent of agents) {
      await expect(agent.exited).resolves.toMatchObject({ signal: 'SIGTERM' });
    }
    await runtime.close();
  });
});
