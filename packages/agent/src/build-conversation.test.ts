import { DEFAULT_BEHAVIOUR, type InitializeParams, PROTOCOL_VERSION } from '@gridbot/core';
import { describe, expect, it } from 'vitest';
import { buildConversation } from './build-conversation.ts';

const at = '2025-03-01T10:00:00Z';

function initWith(overrides: Partial<InitializeParams> = {}): InitializeParams {
  return {
    protocolVersion: PROTOCOL_VERSION,
    assistantName: 'Andy',
    run: { id: 1, trigger: 'message' },
    thread: { id: 1, jid: 'telegram:-100', title: 'Climbing club', isGroup: true, isMain: false },
    config: { ...DEFAULT_BEHAVIOUR, timezone: 'Europe/Berlin' },
    newMessages: [{ id: 5, role: 'user', senderName: 'Alice', text: 'hello', sentAt: at }],
    history: [],
    memory: { thread: [], global: [] },
    approvals: [],
    now: at,
    ...overrides,
  };
}

describe('buildConversation', () => {
  it('puts who, where and when in the system message and new messages in one user turn', () => {
    const init = initWith({
      newMessages: [
        { id: 5, role: 'user', senderName: 'Alice', text: 'hello', sentAt: at },
        { id: 6, role: 'user', senderName: 'Bob', text: '@Andy what time is it?', sentAt: at },
      ],
    });
    expect(buildConversation(init)).toEqual([
      {
        role: 'system',
        content:
          'You are Andy, an assistant in the chat "Climbing club". Current time: 2025-03-01T10:00:00Z (Europe/Berlin).',
      },
      { role: 'user', content: '[Alice] hello\n[Bob] @Andy what time is it?' },
    ]);
  });

  it('replays history with speakers on user turns and lists memory', () => {
    const init = initWith({
      history: [
        { id: 1, role: 'user', senderName: 'Carol', text: 'Saturday at 10?', sentAt: at },
        { id: 2, role: 'assistant', senderName: 'Andy', text: 'Noted.', sentAt: at },
      ],
      memory: { global: ['Be brief.'], thread: ['The gym closes at 22:00.'] },
    });
    const messages = buildConversation(init);
    expect(messages[0]?.content).toContain(
      'What you remember:\n- Be brief.\n- The gym closes at 22:00.',
    );
    expect(messages.slice(1)).toEqual([
      { role: 'user', content: '[Carol] Saturday at 10?' },
      { role: 'assistant', content: 'Noted.' },
      { role: 'user', content: '[Alice] hello' },
    ]);
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
    const messages = buildConversation(init, [...init.newMessages, late]);
    expect(messages[0]?.content).toMatch(/^You are Andy, an assistant in a direct chat\./);
    expect(messages.at(-1)).toEqual({ role: 'user', content: '[Alice] hello\n[Alice] and also' });
  });
});
