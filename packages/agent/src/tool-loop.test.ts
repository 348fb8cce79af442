import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BEHAVIOUR, RpcErrorCode } from '@gridbot/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AT, baseInit, FakeWorker, lastMessage } from './testing/fake-worker.ts';

let workspace: string;
let agent: FakeWorker;

beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'gridbot-loop-'));
  agent = new FakeWorker({ workspace });
});

afterEach(async () => {
  agent.end();
  await agent.exit;
  await rm(workspace, { recursive: true, force: true });
});

const call = (name: string, args: Record<string, unknown>, id = `call-${name}`) => ({
  id,
  name,
  arguments: args,
});

describe('the tool loop', () => {
  it('runs bash in the workspace and gives the model its output, then finishes with the answer', async () => {
    await agent.initialize();
    const first = await agent.llm();
    agent.answer(first, 'Let me compute.', [call('bash', { command: 'echo $((6*7)); pwd' })]);

    const second = await agent.llm();
    const messages = second.params.messages;
    expect(messages.at(-2)).toEqual({
      role: 'assistant',
      content: 'Let me compute.',
      toolCalls: [call('bash', { command: 'echo $((6*7)); pwd' })],
    });
    const result = lastMessage(second);
    expect(result).toMatchObject({ role: 'tool', toolCallId: 'call-bash' });
    expect(result?.content).toContain('[exit code 0]');
    expect(result?.content).toContain('42');
    expect(result?.content).toContain(workspace);

    agent.answer(second, 'It is 42.');
    expect(await agent.next()).toMatchObject({
      method: 'run.finish',
      params: { reply: 'It is 42.', status: 'ok' },
    });
  });

  it('runs several tool calls of one answer in order, each with its own result', async () => {
    await agent.initialize();
    agent.answer(await agent.llm(), '', [
      call('write_file', { path: 'notes/a.txt', content: 'first' }, 'c1'),
      call('bash', { command: 'cat notes/a.txt' }, 'c2'),
    ]);
    const next = await agent.llm();
    const tools = next.params.messages.filter((m) => m.role === 'tool');
    expect(tools.map((m) => m.toolCallId)).toEqual(['c1', 'c2']);
    expect(tools[0]?.content).toBe('Wrote 5 bytes to notes/a.txt.');
    expect(tools[1]?.content).toBe('[exit code 0]\nfirst');
    agent.answer(next, 'done');
    await agent.request('run.finish');
  });

  it('maps remember to memory.write and shows the worker answer to the model', async () => {
    await agent.initialize();
    agent.answer(await agent.llm(), '', [call('remember', { content: 'Alice is vegetarian' })]);
    const write = await agent.request('memory.write');
    expect(write.params).toEqual({ scope: 'thread', content: 'Alice is vegetarian' });
    agent.reply(write, { id: 7 });
    const next = await agent.llm();
    expect(lastMessage(next)?.content).toBe('Remembered as #7 in thread memory.');
    agent.answer(next, 'Noted.');
    expect((await agent.request('run.finish')).params).toMatchObject({ reply: 'Noted.' });
  });

  it('turns a worker error into an Error result and lets the model go on', async () => {
    await agent.initialize();
    agent.answer(await agent.llm(), '', [
      call('remember', { content: 'Be brief', scope: 'global' }),
    ]);
    const write = await agent.request('memory.write');
    expect(write.params).toEqual({ scope: 'global', content: 'Be brief' });
    agent.fail(write, RpcErrorCode.Forbidden, 'Only the main thread may write global memory.');
    const next = await agent.llm();
    expect(lastMessage(next)).toMatchObject({
      role: 'tool',
      content: 'Error: Only the main thread may write global memory.',
    });
    agent.answer(next, 'I can only remember that for this chat.');
    expect(await agent.request('run.finish')).toMatchObject({
      params: { reply: 'I can only remember that for this chat.', status: 'ok' },
    });
  });

  it('maps the task tools to their worker methods with camelCase params', async () => {
    await agent.initialize();
    agent.answer(await agent.llm(), '', [
      call('schedule_task', {
        prompt: 'Post the weekly summary',
        schedule: { kind: 'cron', expression: '0 9 * * 1' },
        timezone: 'Europe/Berlin',
        context_mode: 'isolated',
        misfire_policy: 'run-once',
      }),
      call('pause_task', { task_id: 3 }),
    ]);
    const schedule = await agent.request('task.schedule');
    expect(schedule.params).toEqual({
      prompt: 'Post the weekly summary',
      schedule: { kind: 'cron', expression: '0 9 * * 1' },
      timezone: 'Europe/Berlin',
      contextMode: 'isolated',
      misfirePolicy: 'run-once',
    });
    agent.reply(schedule, {
      task: {
        id: 3,
        prompt: 'Post the weekly summary',
        schedule: { kind: 'cron', expression: '0 9 * * 1' },
        timezone: 'Europe/Berlin',
        contextMode: 'isolated',
        misfirePolicy: 'run-once',
        status: 'active',
        nextRunAt: '2025-03-03T08:00:00.000Z',
      },
    });
    const pause = await agent.request('task.pause');
    expect(pause.params).toEqual({ taskId: 3 });
    agent.fail(pause, RpcErrorCode.InvalidParams, 'No task 3 in this thread.');
    const next = await agent.llm();
    const [scheduled, paused] = next.params.messages.filter((m) => m.role === 'tool');
    expect(scheduled?.content).toContain('Scheduled: Task #3 [active]: cron "0 9 * * 1"');
    expect(scheduled?.content).toContain('next run 2025-03-03T08:00:00.000Z');
    expect(paused?.content).toBe('Error: No task 3 in this thread.');
    agent.answer(next, 'Scheduled.');
    await agent.request('run.finish');
  });

  it('answers an unknown tool or bad arguments with an Error result', async () => {
    await agent.initialize();
    agent.answer(await agent.llm(), '', [
      call('launch_rockets', {}, 'c1'),
      call('bash', { command: 42 }, 'c2'),
    ]);
    const next = await agent.llm();
    const [unknown, bad] = next.params.messages.filter((m) => m.role === 'tool');
    expect(unknown?.content).toMatch(/^Error: there is no tool "launch_rockets"\. Tools: bash,/);
    expect(bad?.content).toBe('Error: "command" is required and must be a non-empty string.');
    agent.answer(next, 'ok');
    await agent.request('run.finish');
  });

  it('stops after max_steps model calls with a reply that says so', async () => {
    await agent.initialize(baseInit({ config: { ...DEFAULT_BEHAVIOUR, max_steps: 3 } }));
    for (let step = 1; step <= 3; step++) {
      const llm = await agent.llm();
      agent.answer(llm, step === 3 ? 'Still counting…' : '', [
        call('bash', { command: `echo ${step} >> steps.txt` }),
      ]);
    }
    const finish = await agent.next();
    expect(finish).toMatchObject({
      method: 'run.finish',
      params: {
        reply: expect.stringMatching(/^I stopped after 3 steps without finishing\./),
        status: 'ok',
      },
    });
    expect((finish.params as { reply: string }).reply).toContain('Still counting…');
    // The tool calls of the last answer were not run: the model would never see their results.
    expect(await readFile(join(workspace, 'steps.txt'), 'utf8')).toBe('1\n2\n');
  });

  it('ends the run after a request for approval, without running the calls after it', async () => {
    await agent.initialize();
    agent.answer(await agent.llm(), 'I need a yes first.', [
      call('request_approval', { tool: 'bash', summary: 'delete old logs' }, 'c1'),
      call('send_message', { text: 'deleting…' }, 'c2'),
    ]);
    const request = await agent.request('approval.request');
    expect(request.params).toEqual({ tool: 'bash', summary: 'delete old logs' });
    agent.reply(request, { approvalId: 4, status: 'pending' });
    expect(await agent.next()).toMatchObject({
      method: 'run.finish',
      params: { reply: 'I need a yes first.', status: 'ok' },
    });
  });

  it('says it waits for the approval when the model gave no text', async () => {
    await agent.initialize();
    agent.answer(await agent.llm(), '', [
      call('request_approval', { tool: 'bash', summary: 'delete old logs' }),
    ]);
    agent.reply(await agent.request('approval.request'), { approvalId: 4, status: 'pending' });
    expect((await agent.request('run.finish')).params).toMatchObject({
      reply: 'Waiting for approval #4.',
    });
  });

  it('refuses a tool that needs approval until an approval for it arrived', async () => {
    const config = { ...DEFAULT_BEHAVIOUR, tools_requiring_approval: ['bash'] };
    await agent.initialize(baseInit({ config }));
    agent.answer(await agent.llm(), '', [call('bash', { command: 'echo hi' })]);
    const refused = await agent.llm();
    expect(lastMessage(refused)?.content).toMatch(
      /^Error: in this chat "bash" needs a human's approval first/,
    );
    agent.answer(refused, 'I asked.');
    agent.reply(await agent.request('run.finish'), { ok: true });

    const approvals = [
      { id: 4, tool: 'bash', summary: 'say hi', status: 'approved' as const, resolvedBy: 'Bob' },
    ];
    await agent.initialize(baseInit({ config, approvals }));
    const first = await agent.llm();
    expect(first.params.messages[0]?.content).toContain(
      'Approval #4 (bash: say hi) was approved by Bob',
    );
    agent.answer(first, '', [call('bash', { command: 'echo hi' })]);
    const ran = await agent.llm();
    expect(lastMessage(ran)?.content).toBe('[exit code 0]\nhi\n');
    agent.answer(ran, 'done');
    await agent.request('run.finish');
  });

  it('shows inputs that arrived during a step before the next model call, and claims them', async () => {
    await agent.initialize();
    const first = await agent.llm();
    agent.send({
      method: 'input',
      params: {
        message: { id: 7, role: 'user', senderName: 'Bob', text: 'also 2+2?', sentAt: AT },
      },
    });
    agent.answer(first, '', [call('send_message', { text: 'Working on it' })]);
    const send = await agent.request('chat.send');
    expect(send.params).toEqual({ text: 'Working on it' });
    agent.reply(send, { outboxId: 1 });
    const second = await agent.llm();
    expect(second.params.messages.slice(-2)).toEqual([
      { role: 'tool', toolCallId: 'call-send_message', content: 'Sent.' },
      { role: 'user', content: '[Bob, 10:00] also 2+2?' },
    ]);
    agent.answer(second, '42 and 4.');
    expect((await agent.request('run.finish')).params).toEqual({
      reply: '42 and 4.',
      status: 'ok',
      lastInputId: 7,
    });
  });

  it('gives the model an Error for paths outside the workspace, and the shared instructions up front', async () => {
    await mkdir(join(workspace, 'global'));
    await writeFile(join(workspace, 'global', 'house-rules.md'), 'Never delete photos.');
    await symlink('/etc', join(workspace, 'etc-link'));
    await agent.initialize();
    const first = await agent.llm();
    const system = first.params.messages[0]?.content ?? '';
    expect(system).toContain('## house-rules.md\nNever delete photos.');
    expect(system).toContain(`Your workspace is ${workspace}`);
    agent.answer(first, '', [
      call('read_file', { path: '../x' }, 'c1'),
      call('read_file', { path: '/etc/passwd' }, 'c2'),
      call('read_file', { path: 'etc-link/passwd' }, 'c3'),
      call('read_file', { path: 'global/house-rules.md' }, 'c4'),
    ]);
    const next = await agent.llm();
    const results = next.params.messages.filter((m) => m.role === 'tool').map((m) => m.content);
    expect(results.slice(0, 3)).toEqual([
      expect.stringMatching(/^Error: "\.\.\/x" is outside the workspace/),
      expect.stringMatching(/^Error: "\/etc\/passwd" is outside the workspace/),
      expect.stringMatching(/^Error: "etc-link\/passwd" is outside the workspace/),
    ]);
    expect(results[3]).toBe('Never delete photos.');
    agent.answer(next, 'ok');
    await agent.request('run.finish');
  });

  it('kills a running command and stops the loop on shutdown', async () => {
    await agent.initialize();
    agent.answer(await agent.llm(), '', [call('bash', { command: 'sleep 30' })]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    agent.send({ method: 'shutdown' });
    await expect(agent.exit).resolves.toBe(0);
    // The run is abandoned, not continued: no further model call.
    const after = await Promise.race([
      agent.next(),
      new Promise((resolve) => setTimeout(() => resolve('nothing'), 300)),
    ]);
    expect(after).not.toMatchObject({ method: 'llm.complete' });
    expect(agent.logs.join('\n')).toContain('run failed');
  });
});
