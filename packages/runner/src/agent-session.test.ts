/**
 * Over 400 lines: every way a session can end (finish, exit, timeout, abort, flood, bad
 * lines) against one fake agent, kept in one file so the cases can be read side by side.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AgentProtocolError, type InitializeParams, RpcErrorCode } from '@gridbot/core';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { sampleInit } from '../../../tests/support/sample-init.ts';
import { AgentSession, type AgentSessionOptions } from './agent-session.ts';
import { RpcMethodError } from './rpc-method-error.ts';
import { FakeAgentProcess } from './testing/fake-agent-process.ts';

const logger = pino({ level: 'silent' });

const init: InitializeParams = sampleInit({
  run: { id: 7, trigger: 'message' },
  thread: { id: 3, jid: 'telegram:-100', title: 'Team', isGroup: true, isMain: false },
});

const llmResult = {
  content: 'hi Alice',
  toolCalls: [],
  usage: { inputTokens: 3, outputTokens: 2 },
  model: 'echo',
  stopReason: 'end_turn',
};

function startSession(options: Partial<AgentSessionOptions> = {}) {
  const agent = new FakeAgentProcess();
  const session = new AgentSession({
    agent,
    init,
    handlers: {},
    timeoutMs: 5_000,
    logger,
    ...options,
  });
  const result = session.run();
  // Tests await `result` later; keep an early rejection from being reported as unhandled.
  result.catch(() => {});
  return { agent, session, result };
}

/** Finishes the run as a well-behaved agent: run.finish, then exit on shutdown. */
async function finish(agent: FakeAgentProcess, reply: string) {
  const answer = await agent.call('fin', 'run.finish', { reply });
  expect(answer.result).toEqual({ ok: true });
  expect((await agent.next()).method).toBe('shutdown');
  agent.exit(0);
}

/** Resolves once a blocked handler has been entered. */
async function waitForRelease(release: Array<() => void>): Promise<void> {
  while (release.length === 0) await new Promise((done) => setImmediate(done));
}

async function rejection(result: Promise<unknown>): Promise<AgentProtocolError> {
  const error = await result.then(
    () => expect.unreachable('run() should have rejected'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgentProtocolError);
  return error as AgentProtocolError;
}

describe('AgentSession', () => {
  it('initializes, serves llm.complete and resolves with run.finish', async () => {
    const calls: unknown[] = [];
    const { agent, result } = startSession({
      handlers: {
        'llm.complete': async (params) => {
          calls.push(params);
          return llmResult;
        },
      },
    });
    const initialize = await agent.acceptInitialize();
    expect(initialize.params).toEqual(init);

    const answer = await agent.call(1, 'llm.complete', {
      messages: [{ role: 'user', content: '[Alice] hello' }],
    });
    expect(answer.result).toEqual(llmResult);
    // Params reach the handler validated, with defaults filled in.
    expect(calls).toEqual([{ messages: [{ role: 'user', content: '[Alice] hello' }], tools: [] }]);

    await finish(agent, 'hi Alice');
    await expect(result).resolves.toEqual({ reply: 'hi Alice', status: 'ok' });
    expect(agent.kills).toBe(0);
  });

  it('answers an unknown method with MethodNotFound and keeps the run going', async () => {
    const { agent, result } = startSession();
    await agent.acceptInitialize();
    const answer = await agent.call(1, 'foo.bar', {});
    expect(answer.error?.code).toBe(RpcErrorCode.MethodNotFound);
    await finish(agent, 'recovered');
    await expect(result).resolves.toMatchObject({ reply: 'recovered' });
  });

  it('answers a known method without a handler with NotAvailable', async () => {
    const { agent, result } = startSession();
    await agent.acceptInitialize();
    const answer = await agent.call(1, 'memory.read', {});
    expect(answer.error).toEqual({
      code: RpcErrorCode.NotAvailable,
      message: 'memory.read is not available in this version',
    });
    await finish(agent, 'ok');
    await expect(result).resolves.toMatchObject({ reply: 'ok' });
  });

  it('refuses invalid params without calling the handler, saying what is wrong', async () => {
    let called = false;
    const { agent, result } = startSession({
      handlers: {
        'llm.complete': async () => {
          called = true;
          return llmResult;
        },
      },
    });
    await agent.acceptInitialize();
    const answer = await agent.call(1, 'llm.complete', { messages: [] });
    expect(answer.error?.code).toBe(RpcErrorCode.InvalidParams);
    expect(answer.error?.message).toContain('messages');
    expect(called).toBe(false);

    const badFinish = await agent.call(2, 'run.finish', { reply: 42 });
    expect(badFinish.error?.code).toBe(RpcErrorCode.InvalidParams);
    await finish(agent, 'ok');
    await expect(result).resolves.toMatchObject({ reply: 'ok' });
  });

  it("passes a handler's RpcMethodError through and hides any other error", async () => {
    const { agent, result } = startSession({
      handlers: {
        'task.schedule': async () => {
          throw new RpcMethodError(RpcErrorCode.Forbidden, 'tasks are disabled in this chat');
        },
        'memory.write': async () => {
          throw new Error('connect ECONNREFUSED postgres://gridbot:hunter2@db');
        },
      },
    });
    await agent.acceptInitialize();
    const task = { prompt: 'digest', schedule: { kind: 'interval', everyMs: 60_000 } };
    expect((await agent.call(1, 'task.schedule', task)).error).toEqual({
      code: RpcErrorCode.Forbidden,
      message: 'tasks are disabled in this chat',
    });
    const hidden = await agent.call(2, 'memory.write', { content: 'note' });
    expect(hidden.error?.code).toBe(RpcErrorCode.InternalError);
    expect(hidden.error?.message).not.toContain('hunter2');
    await finish(agent, 'ok');
    await expect(result).resolves.toMatchObject({ reply: 'ok' });
  });

  it('answers malformed lines with id null and keeps going', async () => {
    const { agent, result } = startSession();
    await agent.acceptInitialize();
    agent.sendRaw('not json{\n');
    expect(await agent.next()).toMatchObject({
      id: null,
      error: { code: RpcErrorCode.ParseError },
    });
    agent.sendRaw('{"hello":"world"}\n');
    expect(await agent.next()).toMatchObject({
      id: null,
      error: { code: RpcErrorCode.InvalidRequest },
    });
    await finish(agent, 'still here');
    await expect(result).resolves.toMatchObject({ reply: 'still here' });
  });

  it('ends the run after 20 malformed lines and kills the agent', async () => {
    const { agent, result } = startSession();
    await agent.acceptInitialize();
    agent.sendRaw('garbage\n'.repeat(25));
    const error = await rejection(result);
    expect(error.code).toBe('malformed');
    expect(agent.kills).toBe(1);
  });

  it('rate-limits chat.send without calling the handler', async () => {
    const sent: unknown[] = [];
    const { agent, result } = startSession({
      chatSendLimit: { max: 2, windowMs: 60_000 },
      handlers: {
        'chat.send': async (params) => {
          sent.push(params);
          return { ok: true };
        },
      },
    });
    await agent.acceptInitialize();
    const codes = [];
    for (let i = 1; i <= 3; i++) {
      const answer = await agent.call(i, 'chat.send', { text: `progress ${i}` });
      codes.push(answer.error?.code ?? 'ok');
    }
    expect(codes).toEqual(['ok', 'ok', RpcErrorCode.RateLimited]);
    expect(sent).toEqual([{ text: 'progress 1' }, { text: 'progress 2' }]);
    await finish(agent, 'ok');
    await expect(result).resolves.toMatchObject({ reply: 'ok' });
  });

  it('serves a bounded number of requests at once and refuses the rest of a burst', async () => {
    let serving = 0;
    let most = 0;
    const release: Array<() => void> = [];
    const { agent, result } = startSession({
      maxConcurrentRequests: 4,
      handlers: {
        'memory.read': async () => {
          serving += 1;
          most = Math.max(most, serving);
          await new Promise<void>((done) => release.push(done));
          serving -= 1;
          return { entries: [] };
        },
      },
    });
    await agent.acceptInitialize();
    const burst = Array.from({ length: 100 }, (_, i) =>
      JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'memory.read', params: {} }),
    );
    agent.sendRaw(`${burst.join('\n')}\n`);
    const refused = [];
    for (let i = 0; i < 96; i++) refused.push(await agent.next());
    expect(refused.map((m) => m.error?.code)).toEqual(Array(96).fill(RpcErrorCode.RateLimited));
    expect(refused[0]?.error?.message).toMatch(/at most 4 requests/);
    expect(most).toBe(4);
    for (const done of release.splice(0)) done();
    for (let i = 0; i < 4; i++) expect((await agent.next()).result).toEqual({ entries: [] });
    // Once answered, the agent may ask again.
    const again = agent.call(200, 'memory.read', {});
    await waitForRelease(release);
    for (const done of release.splice(0)) done();
    expect((await again).result).toEqual({ entries: [] });
    await finish(agent, 'ok');
    await expect(result).resolves.toMatchObject({ reply: 'ok' });
  });

  it('kills an agent that does not finish in time', async () => {
    const { agent, result } = startSession({ timeoutMs: 100 });
    await agent.acceptInitialize();
    const error = await rejection(result);
    expect(error.code).toBe('timeout');
    expect(error.message).toBe('agent did not finish within 100 ms');
    expect(agent.kills).toBe(1);
  });

  it('kills the agent when the signal aborts', async () => {
    const controller = new AbortController();
    const { agent, result } = startSession({ signal: controller.signal });
    await agent.acceptInitialize();
    controller.abort(new Error('worker shutting down'));
    const error = await rejection(result);
    expect(error.code).toBe('aborted');
    expect(error.message).toContain('worker shutting down');
    expect(agent.kills).toBe(1);
  });

  it('does not even start an already aborted run', async () => {
    const controller = new AbortController();
    controller.abort();
    const { agent, result } = startSession({ signal: controller.signal });
    expect((await rejection(result)).code).toBe('aborted');
    expect(agent.kills).toBe(1);
  });

  it('reports an agent that exits early, with its last stderr', async () => {
    const { agent, result } = startSession();
    await agent.acceptInitialize();
    agent.stderr.write('loading model\nboom\n');
    agent.exit(3);
    const error = await rejection(result);
    expect(error.code).toBe('exited');
    expect(error.message).toContain('agent exited with code 3 before finishing the run');
    expect(error.message).toContain('boom');
  });

  it('still accepts a run.finish written just before the agent exited', async () => {
    const { agent, result } = startSession();
    await agent.acceptInitialize();
    agent.exit(0, null, { keepOutputOpen: true });
    // The exit is seen first; the last line is still in the pipe.
    await new Promise((resolve) => setTimeout(resolve, 20));
    agent.send({ jsonrpc: '2.0', id: 1, method: 'run.finish', params: { reply: 'last words' } });
    agent.closeOutput();
    await expect(result).resolves.toMatchObject({ reply: 'last words' });
  });

  it('refuses a line over 1 MiB and kills the agent', async () => {
    const { agent, result } = startSession();
    await agent.acceptInitialize();
    agent.sendRaw('x'.repeat(2 * 1024 * 1024));
    const error = await rejection(result);
    expect(error.code).toBe('line_too_long');
    expect(error.message).toBe('agent sent a line over 1 MiB');
    expect(agent.kills).toBe(1);
  });

  it('ends the run when the agent refuses initialize', async () => {
    const { agent, result } = startSession();
    const initialize = await agent.next();
    agent.send({
      jsonrpc: '2.0',
      id: initialize.id,
      error: { code: RpcErrorCode.InvalidParams, message: 'unsupported protocol version' },
    });
    const error = await rejection(result);
    expect(error.code).toBe('initialize_failed');
    expect(error.message).toContain('unsupported protocol version');
  });

  it('serves no request that follows a refused initialize in the same chunk', async () => {
    let called = false;
    const { agent, result } = startSession({
      handlers: {
        'llm.complete': async () => {
          called = true;
          return llmResult;
        },
      },
    });
    const initialize = await agent.next();
    const refusal = { jsonrpc: '2.0', id: initialize.id, error: { code: -32602, message: 'no' } };
    const request = {
      jsonrpc: '2.0',
      id: 1,
      method: 'llm.complete',
      params: { messages: [{ role: 'user', content: 'x' }] },
    };
    agent.sendRaw(`${JSON.stringify(refusal)}\n${JSON.stringify(request)}\n`);
    expect((await rejection(result)).code).toBe('initialize_failed');
    expect(called).toBe(false);
  });

  it('forwards follow-up messages as input notifications, also those sent before run()', async () => {
    const agent = new FakeAgentProcess();
    const session = new AgentSession({ agent, init, handlers: {}, timeoutMs: 5_000, logger });
    const early = { ...init.newMessages[0]!, id: 2, text: 'early' };
    const late = { ...init.newMessages[0]!, id: 3, text: 'late' };
    session.sendInput(early);
    const result = session.run();
    await agent.acceptInitialize();
    expect(await agent.next()).toMatchObject({ method: 'input', params: { message: early } });
    session.sendInput(late);
    expect(await agent.next()).toMatchObject({ method: 'input', params: { message: late } });
    await finish(agent, 'ok');
    await expect(result).resolves.toMatchObject({ reply: 'ok' });
  });

  it('kills an agent that lingers after shutdown, and still resolves', async () => {
    const { agent, result } = startSession({ shutdownGraceMs: 50 });
    await agent.acceptInitialize();
    await agent.call(1, 'run.finish', { reply: 'done', status: 'ok' });
    await expect(result).resolves.toEqual({ reply: 'done', status: 'ok' });
    expect(agent.kills).toBe(1);
  });

  it('survives writing to an agent whose stdin is gone', async () => {
    const { agent, session, result } = startSession({ timeoutMs: 200 });
    await agent.acceptInitialize();
    agent.stdin.destroy(new Error('write EPIPE'));
    session.sendInput(init.newMessages[0]!);
    expect((await rejection(result)).code).toBe('timeout');
  });
});

describe('AgentSession with keepAlive', () => {
  const streamEvents = ['data', 'end', 'close', 'error', 'readable'] as const;
  /** Listeners on each of the agent's streams, by stream and event. */
  function listenerCounts(agent: FakeAgentProcess): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const name of ['stdin', 'stdout', 'stderr'] as const) {
      for (const event of streamEvents) {
        counts[`${name}.${event}`] = agent[name].listenerCount(event);
      }
    }
    return counts;
  }

  function warmSession(agent: FakeAgentProcess, options: Partial<AgentSessionOptions> = {}) {
    const session = new AgentSession({
      agent,
      init,
      handlers: { 'llm.complete': async () => llmResult },
      timeoutMs: 5_000,
      logger,
      keepAlive: true,
      ...options,
    });
    const result = session.run();
    result.catch(() => {});
    return { session, result };
  }

  it('leaves the agent running for a second session, without leaking listeners', async () => {
    const agent = new FakeAgentProcess();
    const before = listenerCounts(agent);

    const first = warmSession(agent);
    await agent.acceptInitialize();
    expect(first.session.reusable).toBe(false);
    expect((await agent.call('fin', 'run.finish', { reply: 'one' })).result).toEqual({ ok: true });
    await expect(first.result).resolves.toEqual({ reply: 'one', status: 'ok' });
    expect(first.session.reusable).toBe(true);
    expect(listenerCounts(agent)).toEqual(before);

    // No shutdown was sent: the next thing the agent reads is the second initialize.
    const second = warmSession(agent, { init: { ...init, run: { id: 8, trigger: 'message' } } });
    const initialize = await agent.acceptInitialize();
    expect(initialize.params).toMatchObject({ run: { id: 8 } });
    expect(
      (await agent.call(1, 'llm.complete', { messages: [{ role: 'user', content: 'x' }] })).result,
    ).toEqual(llmResult);
    await agent.call('fin', 'run.finish', { reply: 'two', lastInputId: 4 });
    await expect(second.result).resolves.toEqual({ reply: 'two', status: 'ok', lastInputId: 4 });
    expect(second.session.reusable).toBe(true);
    expect(listenerCounts(agent)).toEqual(before);
    expect(agent.kills).toBe(0);
  });

  it('does not keep past sessions alive on a warm agent that serves many runs', async () => {
    // A leak seen in the soak benchmark: every session subscribed to the agent's `exited`
    // promise, and the handler's closure kept the session (and its run) for the agent's life.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const agent = new FakeAgentProcess();
    const refs: Array<WeakRef<AgentSession>> = [];
    for (let run = 0; run < 30; run++) {
      const { session, result } = warmSession(agent);
      refs.push(new WeakRef(session));
      await agent.acceptInitialize();
      await agent.call('fin', 'run.finish', { reply: `run ${run}` });
      await result;
    }
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    // The last session may still be referenced from this test's scope; all others are gone.
    expect(refs.filter((ref) => ref.deref() !== undefined).length).toBeLessThanOrEqual(1);
  });

  it('delivers output the agent wrote between runs to the next session', async () => {
    const agent = new FakeAgentProcess();
    const first = warmSession(agent);
    await agent.acceptInitialize();
    await agent.call('fin', 'run.finish', { reply: 'one' });
    await first.result;
    // Written while no session listens (a slow agent answering late, say).
    agent.sendRaw('not json{\n');
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = warmSession(agent);
    // The line waited in the pipe and is now answered by the second session.
    expect(await agent.next()).toMatchObject({ method: 'initialize' });
    expect(await agent.next()).toMatchObject({
      id: null,
      error: { code: RpcErrorCode.ParseError },
    });
    await agent.call('fin', 'run.finish', { reply: 'two' });
    await expect(second.result).resolves.toMatchObject({ reply: 'two' });
  });

  it('fails the next session promptly when the agent died between runs', async () => {
    const agent = new FakeAgentProcess();
    const first = warmSession(agent);
    await agent.acceptInitialize();
    await agent.call('fin', 'run.finish', { reply: 'one' });
    await first.result;
    agent.exit(1);
    await agent.exited;

    const second = warmSession(agent, { timeoutMs: 60_000 });
    const error = await rejection(second.result);
    expect(error.code).toBe('exited');
    expect(error.message).toContain('exited with code 1');
    expect(second.session.reusable).toBe(false);
  });

  it('kills the agent and reports it not reusable when a kept-alive run fails', async () => {
    const agent = new FakeAgentProcess();
    const { session, result } = warmSession(agent, { timeoutMs: 100 });
    await agent.acceptInitialize();
    expect((await rejection(result)).code).toBe('timeout');
    expect(agent.kills).toBe(1);
    expect(session.reusable).toBe(false);
  });

  it('does not keep an agent that exited as it finished', async () => {
    const agent = new FakeAgentProcess();
    const { session, result } = warmSession(agent);
    await agent.acceptInitialize();
    agent.exit(0, null, { keepOutputOpen: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    agent.send({ jsonrpc: '2.0', id: 1, method: 'run.finish', params: { reply: 'last words' } });
    agent.closeOutput();
    await expect(result).resolves.toMatchObject({ reply: 'last words' });
    expect(session.reusable).toBe(false);
  });

  it('shuts the agent down as before without keepAlive, and is never reusable', async () => {
    const { agent, session, result } = startSession();
    await agent.acceptInitialize();
    await finish(agent, 'done');
    await result;
    expect(session.reusable).toBe(false);
  });
});
