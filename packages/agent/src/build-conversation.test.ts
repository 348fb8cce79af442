import { DEFAULT_BEHAVIOUR, type InitializeParams } from '@gridbot/core';
import { describe, expect, it } from 'vitest';
import { buildConversation } from './build-conversation.ts';
import { baseInit } from './testing/fake-worker.ts';

const at = '2025-03-01T10:00:00Z';

function initWith(overrides: Partial<InitializeParams> = {}): InitializeParams {
  return baseInit({
    thread: { id: 1, jid: 'telegram:-100', title: 'Climbing club', isGroup: true, isMain: false },
    config: { ...DEFAULT_BEHAVIOUR, timezone: 'Europe/Berlin' },
    ...overrides,
  });
}

describe('buildConversation', () => {
  it('says who, where and when in the thread time zone, and puts new messages in one user turn', () => {
    const init = initWith({
      newMessages: [
        { id: 5, role: 'user', senderName: 'Alice', text: 'hello', sentAt: at },
        {
          id: 6,
          role: 'user',
          senderName: 'Bob',
          text: '@Andy what time is it?',
          sentAt: '2025-03-01T10:02:30Z',
        },
      ],
    });
    const [system, ...rest] = buildConversation(init);
    expect(system?.role).toBe('system');
    expect(system?.content).toMatch(
      /^You are Andy, an assistant in the group chat "Climbing club"\./,
    );
    // 10:00 UTC is 11:00 in Berlin on 1 March (CET).
    expect(system?.content).toContain(
      'Current time: Saturday 2025-03-01 11:00 (Europe/Berlin, GMT+01:00).',
    );
    expect(rest).toEqual([
      { role: 'user', content: '[Alice, 11:00] hello\n[Bob, 11:02] @Andy what time is it?' },
    ]);
  });

  it('replays history with speakers and times, dating messages of earlier days', () => {
    const init = initWith({
      history: [
        {
          id: 1,
          role: 'user',
          senderName: 'Carol',
          text: 'Saturday at 10?',
          sentAt: '2025-02-28T23:30:00Z',
        },
        { id: 2, role: 'assistant', senderName: 'Andy', text: 'Noted.', sentAt: at },
      ],
    });
    expect(buildConversation(init).slice(1)).toEqual([
      // 23:30 UTC on the 28th is already 1 March in Berlin: same day as now.
      { role: 'user', content: '[Carol, 00:30] Saturday at 10?' },
      { role: 'assistant', content: 'Noted.' },
      { role: 'user', content: '[Alice, 11:00] hello' },
    ]);
    const older = initWith({
      history: [
        { id: 1, role: 'user', senderName: 'Carol', text: 'hi', sentAt: '2025-02-27T08:00:00Z' },
      ],
    });
    expect(buildConversation(older)[1]).toEqual({
      role: 'user',
      content: '[Carol, 2025-02-27 09:00] hi',
    });
  });

  it('lists global and thread memory separately, and the shared instructions', () => {
    const init = initWith({
      memory: { global: ['Be brief.'], thread: ['The gym closes at 22:00.'] },
    });
    const system = buildConversation(init, {
      instructions: '## style.md\nAnswer in German.',
    })[0]?.content;
    expect(system).toContain('Shared instructions:\n## style.md\nAnswer in German.');
    expect(system).toContain('What you remember (all chats):\n- Be brief.');
    expect(system).toContain('What you remember about this chat:\n- The gym closes at 22:00.');
  });

  it('describes the tools and the workspace, and the tools that need approval', () => {
    const init = initWith({
      config: { ...DEFAULT_BEHAVIOUR, tools_requiring_approval: ['bash'] },
    });
    const system = buildConversation(init, {
      workspace: '/workspace',
      toolNames: ['bash', 'read_file'],
    })[0]?.content;
    expect(system).toContain('Tools: bash, read_file.');
    expect(system).toContain('Your workspace is /workspace');
    expect(system).toContain("these tools need a human's approval first: bash.");
    expect(buildConversation(initWith())[0]?.content).not.toContain('Tools:');
  });

  it('states the decisions on earlier approval requests', () => {
    const init = initWith({
      approvals: [
        { id: 3, tool: 'bash', summary: 'delete old logs', status: 'approved', resolvedBy: 'Bob' },
        { id: 4, tool: 'bash', summary: 'reboot', status: 'rejected', resolvedBy: 'Carol' },
        { id: 5, tool: 'bash', summary: 'wipe', status: 'expired', resolvedBy: null },
      ],
    });
    const system = buildConversation(init)[0]?.content;
    expect(system).toContain(
      'Decisions on your approval requests:\n- Approval #3 (bash: delete old logs) was approved by Bob: you may do it now.\n- Approval #4 (bash: reboot) was rejected by Carol: do not do it.\n- Approval #5 (bash: wipe) expired unanswered: do not do it.',
    );
  });

  it('describes an untitled direct chat and uses the given new messages', () => {
    const init = initWith({
      thread: { id: 2, jid: 'telegram:42', title: null, isGroup: false, isMain: true },
    });
    const late = {
      id: 9,
      role: 'user' as const,
      senderName: 'Alice',
      text: 'and also',
      sentAt: at,
    };
    const messages = buildConversation(init, { newMessages: [...init.newMessages, late] });
    expect(messages[0]?.content).toMatch(/^You are Andy, an assistant in a direct chat\./);
    expect(messages[0]?.content).toContain('This is the main chat');
    expect(messages.at(-1)).toEqual({
      role: 'user',
      content: '[Alice, 11:00] hello\n[Alice, 11:00] and also',
    });
  });

  it('falls back to UTC for an unknown time zone', () => {
    const init = initWith({ config: { ...DEFAULT_BEHAVIOUR, timezone: 'Mars/Olympus' } });
    const messages = buildConversation(init);
    expect(messages[0]?.content).toContain(
      'Current time: Saturday 2025-03-01 10:00 (UTC, GMT+00:00).',
    );
    expect(messages.at(-1)?.content).toBe('[Alice, 10:00] hello');
  });

  it('asks for replies in the configured language, and says nothing when none is set', () => {
    const german = buildConversation(
      initWith({ config: { ...DEFAULT_BEHAVIOUR, language: 'German' } }),
    );
    expect(german[0]?.content).toContain('Write your replies in German');
    const unset = buildConversation(initWith({ config: DEFAULT_BEHAVIOUR }));
    expect(unset[0]?.content).not.toContain('Write your replies in');
    expect(unset[0]?.content).not.toContain('Keep your replies short');
    const terse = buildConversation(
      initWith({ config: { ...DEFAULT_BEHAVIOUR, verbosity: 'low' } }),
    );
    expect(terse[0]?.content).toContain('Keep your replies short');
  });
});
