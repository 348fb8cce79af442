import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentProtocolError, type InitializeParams, type LlmCompleteParams } from '@gridbot/core';
// The runner does not depend on @gridbot/llm; the worker wires the two together.
import { EchoProvider } from '@gridbot/llm';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleInit } from '../../../tests/support/sample-init.ts';
import type { AgentProcess } from './agent-runtime.ts';
import { AgentSession, type AgentSessionOptions } from './agent-session.ts';
import { defaultAgentCommand } from './default-agent-command.ts';
import { ProcessRuntime } from './process-runtime.ts';

const logger = pino({ level: 'silent' });
const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../tests/fixtures/agents/${name}`, import.meta.url));

const init: InitializeParams = sampleInit();

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

let workspace: string;
let runtime: ProcessRuntime | undefined;

beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'gridbot-session-'));
});

afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
  await rm(workspace, { recursive: true, force: true });
});

async function runWith(
  command: string[],
  options: Partial<AgentSessionOptions> = {},
): Promise<{ agent: AgentProcess; result: Promise<unknown> }> {
  runtime = new ProcessRuntime({ command, logger, killGraceMs: 500 });
  const agent = await runtime.start({ threadId: 4, runId: 11, workspaceDir: workspace });
  const session = new AgentSession({ agent, init, handlers, timeoutMs: 2_500, logger, ...options });
  const result = session.run();
  result.catch(() => {});
  return { agent, result };
}

async function protocolError(result: Promise<unknown>): Promise<AgentProtocolError> {
  const error = await result.then(
    () => expect.unreachable('run() should have rejected'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgentProtocolError);
  return error as AgentProtocolError;
}

// The default agent, early exits, timeouts and the environment are covered for every
// runtime by the contract suite (agent-runtime.contract.ts, run in process-runtime.int.test.ts).
describe('AgentSession with real processes', () => {
  it('serves two runs on one kept-alive default agent without leaking listeners', async () => {
    const { agent, result } = await runWith(defaultAgentCommand(), { keepAlive: true });
    await expect(result).resolves.toMatchObject({
      reply: expect.stringMatching(/^Echo: \[Alice, [\d: -]+\] hello$/),
    });
    const listeners = () =>
      ['data', 'end', 'close', 'error'].map((event) => agent.stdout.listenerCount(event));
    const afterFirst = listeners();

    const second = new AgentSession({
      agent,
      init: {
        ...init,
        run: { id: 12, trigger: 'message' },
        newMessages: [{ ...init.newMessages[0]!, id: 2, senderName: 'Bob', text: 'again' }],
      },
      handlers,
      timeoutMs: 2_500,
      logger,
      keepAlive: true,
    });
    await expect(second.run()).resolves.toMatchObject({
      reply: expect.stringMatching(/^Echo: \[Bob, [\d: -]+\] again$/),
    });
    expect(second.reusable).toBe(true);
    expect(listeners()).toEqual(afterFirst);

    // A plain session on the same agent ends it the usual way.
    const last = new AgentSession({ agent, init, handlers, timeoutMs: 2_500, logger });
    await expect(last.run()).resolves.toMatchObject({
      reply: expect.stringMatching(/^Echo: \[Alice, [\d: -]+\] hello$/),
    });
    await expect(agent.exited).resolves.toEqual({ code: 0, signal: null });
  });

  it('lets an agent recover from calling an unknown method', async () => {
    const { result } = await runWith([process.execPath, fixture('unknown-method.mjs')]);
    await expect(result).resolves.toMatchObject({ reply: 'recovered' });
  });

  it('lets an agent recover from a malformed line', async () => {
    const { result } = await runWith([process.execPath, fixture('malformed.mjs')]);
    await expect(result).resolves.toMatchObject({ reply: 'still here' });
  });

  it('refuses a 2 MiB line and kills the agent', async () => {
    const { agent, result } = await runWith([process.execPath, fixture('huge-line.mjs')]);
    const error = await protocolError(result);
    expect(error.code).toBe('line_too_long');
    expect(error.message).toBe('agent sent a line over 1 MiB');
    await expect(agent.exited).resolves.toMatchObject({ signal: 'SIGTERM' });
  });

  it('rate-limits a chat.send flood to 20 per minute', async () => {
    const { result } = await runWith([process.execPath, fixture('flood.mjs')]);
    await expect(result).resolves.toMatchObject({ reply: 'rate-limited:30' });
  });
});
