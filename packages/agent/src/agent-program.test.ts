import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcErrorCode } from '@gridbot/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_INFO } from './agent-program.ts';
import { AT, baseInit, FakeWorker } from './testing/fake-worker.ts';

const init = baseInit();
const followUp = { id: 6, role: 'user', senderName: 'Bob', text: 'me too', sentAt: AT } as const;

let workspace: string;

beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'gridbot-agent-'));
});

afterEach(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe('runAgentProgram', () => {
  it('answers initialize, asks the model about the new messages and finishes with its reply', async () => {
    const agent = new FakeWorker({ workspace });
    agent.send(
      { id: 1, method: 'initialize', params: init },
      { method: 'input', params: { message: followUp } },
    );
    expect(await agent.next()).toMatchObject({
      id: 1,
      result: { agent: 'gridbot-agent', version: '0.1.0' },
    });
    const llm = await agent.llm();
    expect(llm.params).toMatchObject({
      messages: [
        { role: 'system' },
        { role: 'user', content: '[Alice, 10:00] hello\n[Bob, 10:00] me too' },
      ],
    });
    expect(llm.params.tools.map((tool) => tool.name)).toContain('bash');
    agent.answer(llm, 'Hi both!');
    const finish = await agent.next();
    expect(finish).toMatchObject({
      method: 'run.finish',
      params: { reply: 'Hi both!', status: 'ok', lastInputId: 6 },
    });
    agent.send({ id: finish.id, result: { ok: true } }, { method: 'shutdown' });
    await expect(agent.exit).resolves.toBe(0);
  });

  it('claims no input when none arrived', async () => {
    const agent = new FakeWorker({ workspace });
    await agent.initialize(init);
    agent.answer(await agent.llm(), 'Hi Alice');
    expect((await agent.next()).params).toEqual({
      reply: 'Hi Alice',
      status: 'ok',
      lastInputId: null,
    });
    agent.end();
    await expect(agent.exit).resolves.toBe(0);
  });

  it('does not claim inputs that arrive after the model call, nor carry them into the next run', async () => {
    const agent = new FakeWorker({ workspace });
    await agent.initialize(init);
    const llm = await agent.llm();
    agent.send({ method: 'input', params: { message: { ...followUp, id: 9, text: 'too late' } } });
    agent.answer(llm, 'Hi Alice');
    const finish = await agent.next();
    expect(finish.params).toMatchObject({ reply: 'Hi Alice', lastInputId: null });
    agent.reply(finish, { ok: true });

    await agent.initialize({ ...init, newMessages: [followUp] });
    const second = await agent.llm();
    expect(second.params).toMatchObject({
      messages: [{ role: 'system' }, { role: 'user', content: '[Bob, 10:00] me too' }],
    });
    expect(agent.logs.join('\n')).toContain('not claimed');
    agent.end();
    await expect(agent.exit).resolves.toBe(0);
  });

  it('serves several runs, each from a fresh initialize, until shutdown', async () => {
    const agent = new FakeWorker({ workspace });
    const runs = [
      { id: 10, message: { id: 20, role: 'user', senderName: 'Alice', text: 'one', sentAt: AT } },
      { id: 11, message: { id: 21, role: 'user', senderName: 'Carol', text: 'two', sentAt: AT } },
    ] as const;
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
      const llm = await agent.llm();
      const text = `[${run.message.senderName}, 10:00] ${run.message.text}`;
      expect(llm.params).toMatchObject({
        messages: [{ role: 'system' }, { role: 'user', content: `${text}\n${text}+` }],
      });
      agent.answer(llm, `reply ${index}`);
      const finish = await agent.next();
      expect(finish.params).toEqual({
        reply: `reply ${index}`,
        status: 'ok',
        lastInputId: input.id,
      });
      // The next initialize may come right behind the answer to run.finish.
      agent.reply(finish, { ok: true });
    }
    agent.send({ method: 'shutdown' });
    await expect(agent.exit).resolves.toBe(0);
  });

  it('refuses a second initialize while a run is in progress', async () => {
    const agent = new FakeWorker({ workspace });
    await agent.initialize(init);
    const llm = await agent.llm();
    agent.send({ id: 2, method: 'initialize', params: init });
    expect(await agent.next()).toMatchObject({
      id: 2,
      error: { code: RpcErrorCode.InvalidRequest, message: 'a run is already in progress' },
    });
    agent.answer(llm, 'ok');
    expect(await agent.next()).toMatchObject({ method: 'run.finish' });
    agent.end();
    await expect(agent.exit).resolves.toBe(0);
  });

  it('finishes with status error when the model call fails', async () => {
    const agent = new FakeWorker({ workspace });
    await agent.initialize(init);
    agent.fail(await agent.llm(), RpcErrorCode.RateLimited, 'budget exhausted');
    expect(await agent.next()).toMatchObject({
      method: 'run.finish',
      params: { reply: null, status: 'error', error: 'budget exhausted' },
    });
    agent.end();
    await expect(agent.exit).resolves.toBe(0);
  });

  it('refuses invalid initialize params, saying which field is wrong', async () => {
    const agent = new FakeWorker({ workspace });
    agent.send({ id: 1, method: 'initialize', params: { ...init, assistantName: 42 } });
    const answer = await agent.next();
    expect(answer.error).toMatchObject({ code: RpcErrorCode.InvalidParams });
    expect(JSON.stringify(answer.error)).toContain('assistantName');
    agent.end();
    await expect(agent.exit).resolves.toBe(0);
  });
});
