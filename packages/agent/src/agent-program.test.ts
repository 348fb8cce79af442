import { PassThrough } from 'node:stream';
import {
  DEFAULT_BEHAVIOUR,
  type InitializeParams,
  LineSplitter,
  PROTOCOL_VERSION,
  RpcErrorCode,
} from '@gridbot/core';
import { describe, expect, it } from 'vitest';
import { AGENT_INFO, runAgentProgram } from './agent-program.ts';

type Message = {
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: unknown;
};

const at = '2025-03-01T10:00:00Z';
const init: InitializeParams = {
  protocolVersion: PROTOCOL_VERSION,
  assistantName: 'Andy',
  run: { id: 1, trigger: 'message' },
  thread: { id: 1, jid: 'telegram:-100', title: 'Team', isGroup: true, isMain: false },
  config: DEFAULT_BEHAVIOUR,
  newMessages: [{ id: 5, role: 'user', senderName: 'Alice', text: 'hello', sentAt: at }],
  history: [],
  memory: { thread: [], global: [] },
  approvals: [],
  now: at,
};
const followUp = { id: 6, role: 'user', senderName: 'Bob', text: 'me too', sentAt: at } as const;

/** Plays the worker against the agent program over in-memory pipes. */
function startAgent() {
  const toAgent = new PassThrough();
  const fromAgent = new PassThrough();
  const logs: string[] = [];
  const exit = runAgentProgram({ input: toAgent, output: fromAgent, log: (m) => logs.push(m) });
  const queue: Message[] = [];
  const waiters: Array<(m: Message) => void> = [];
  const splitter = new LineSplitter(1 << 20);
  fromAgent.on('data', (chunk: Buffer) => {
    for (const event of splitter.push(chunk)) {
      if (event.kind !== 'line') continue;
      const message = JSON.parse(event.line) as Message;
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else queue.push(message);
    }
  });
  return {
    exit,
    logs,
    send: (...messages: object[]) =>
      toAgent.write(messages.map((m) => `${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`).join('')),
    next: (): Promise<Message> => {
      const queued = queue.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => waiters.push(resolve));
    },
    end: () => toAgent.end(),
  };
}

describe('runAgentProgram', () => {
  it('answers initialize, asks the model about the new messages and finishes with its reply', async () => {
    const agent = startAgent();
    agent.send(
      { id: 1, method: 'initialize', params: init },
      { method: 'input', params: { message: followUp } },
    );
    expect(await agent.next()).toMatchObject({
      id: 1,
      result: { agent: 'gridbot-agent', version: '0.1.0' },
    });
    const llm = await agent.next();
    expect(llm.method).toBe('llm.complete');
    expect(llm.params).toMatchObject({
      tools: [],
      messages: [{ role: 'system' }, { role: 'user', content: '[Alice] hello\n[Bob] me too' }],
    });
    agent.send({ id: llm.id, result: { content: 'Hi both!', toolCalls: [] } });
    const finish = await agent.next();
    expect(finish).toMatchObject({
      method: 'run.finish',
      params: { reply: 'Hi both!', status: 'ok', lastInputId: 6 },
    });
    agent.send({ id: finish.id, result: { ok: true } }, { method: 'shutdown' });
    await expect(agent.exit).resolves.toBe(0);
  });

  it('claims no input when none arrived', async () => {
    const agent = startAgent();
    agent.send({ id: 1, method: 'initialize', params: init });
    await agent.next();
    const llm = await agent.next();
    agent.send({ id: llm.id, result: { content: 'Hi Alice', toolCalls: [] } });
    expect((await agent.next()).params).toEqual({
      reply: 'Hi Alice',
      status: 'ok',
      lastInputId: null,
    });
    agent.end();
    await expect(agent.exit).resolves.toBe(0);
  });

  it('does not claim inputs that arrive after the model call, nor carry them into the next run', async () => {
    const agent = startAgent();
    agent.send({ id: 1, method: 'initialize', params: init });
    await agent.next();
    const llm = await agent.next();
    agent.send({ method: 'input', params: { message: { ...followUp, id: 9, text: 'too late' } } });
    agent.send({ id: llm.id, result: { content: 'Hi Alice', toolCalls: [] } });
    const finish = await agent.next();
    expect(finish.params).toMatchObject({ reply: 'Hi Alice', lastInputId: null });
    agent.send({ id: finish.id, result: { ok: true } });

    agent.send({ id: 2, method: 'initialize', params: { ...init, newMessages: [followUp] } });
    expect(await agent.next()).toMatchObject({ id: 2, result: { agent: 'gridbot-agent' } });
    const second = await agent.next();
    expect(second.params).toMatchObject({
      messages: [{ role: 'system' }, { role: 'user', content: '[Bob] me too' }],
    });
    expect(agent.logs.join('\n')).toContain('not claimed');
    agent.end();
    await expect(agent.exit).resolves.toBe(0);
  });

  it('serves several runs, each from a fresh initialize, until shutdown', async () => {
    const agent = startAgent();
    const runs = [
      { id: 10, message: { id: 20, role: 'user', senderName: 'Alice', text: 'one', sentAt: at } },
      { id: 11, message: { id: 21, role: 'user', senderName: 'Carol', text: 'two', sentAt: at } },
    ];
    for (const [index, run] of runs.entries()) {
      const input = { ...run.message, id: run.message.id + 100, text: `${run.message.text}+` };
      agent.send(
        {
          id: `init-${index}`,
          method: 'initialize',
          params: { ...init, run: { id: run.id, trigger: 'message' }, newMessages: [run.message] },
        },
        { method: 'input', params: { message: input } },
      );
      expect(await agent.next()).toMatchObject({ id: `init-${index}`, result: AGENT_INFO });
      const llm = await agent.next();
      const text = `[${run.message.senderName}] ${run.message.text}`;
      expect(llm.params).toMatchObject({
        messages: [{ role: 'system' }, { role: 'user', content: `${text}\n${text}+` }],
      });
      agent.send({ id: llm.id, result: { content: `reply ${index}`, toolCalls: [] } });
      const finish = await agent.next();
      expect(finish.params).toEqual({
        reply: `reply ${index}`,
        status: 'ok',
        lastInputId: input.id,
      });
      // The next initialize may come right behind the answer to run.finish.
      agent.send({ id: finish.id, result: { ok: true } });
    }
    agent.send({ method: 'shutdown' });
    await expect(agent.exit).resolves.toBe(0);
  });

  it('refuses a second initialize while a run is in progress', async () => {
    const agent = startAgent();
    agent.send({ id: 1, method: 'initialize', params: init });
    await agent.next();
    const llm = await agent.next();
    agent.send({ id: 2, method: 'initialize', params: init });
    expect(await agent.next()).toMatchObject({
      id: 2,
      error: { code: RpcErrorCode.InvalidRequest, message: 'a run is already in progress' },
    });
    agent.send({ id: llm.id, result: { content: 'ok', toolCalls: [] } });
    expect(await agent.next()).toMatchObject({ method: 'run.finish' });
    agent.end();
    await expect(agent.exit).resolves.toBe(0);
  });

  it('finishes with status error when the model call fails', async () => {
    const agent = startAgent();
    agent.send({ id: 1, method: 'initialize', params: init });
    await agent.next();
    const llm = await agent.next();
    agent.send({
      id: llm.id,
      error: { code: RpcErrorCode.RateLimited, message: 'budget exhausted' },
    });
    expect(await agent.next()).toMatchObject({
      method: 'run.finish',
      params: { reply: null, status: 'error', error: 'budget exhausted' },
    });
    agent.end();
    await expect(agent.exit).resolves.toBe(0);
  });

  it('refuses invalid initialize params, saying which field is wrong', async () => {
    const agent = startAgent();
    agent.send({ id: 1, method: 'initialize', params: { ...init, assistantName: 42 } });
    const answer = await agent.next();
    expect(answer.error).toMatchObject({ code: RpcErrorCode.InvalidParams });
    expect(JSON.stringify(answer.error)).toContain('assistantName');
    agent.end();
    await expect(agent.exit).resolves.toBe(0);
  });
});
