import type { LlmMessage } from '@gridbot/core';
import { describe, expect, it } from 'vitest';
import { fitConversation } from './fit-conversation.ts';

const big = (char: string) => char.repeat(10_000);

describe('fitConversation', () => {
  it('leaves a conversation that fits alone', () => {
    const messages: LlmMessage[] = [{ role: 'user', content: big('a') }];
    expect(fitConversation(messages, [], 20_000)).toBe(0);
    expect(messages[0]?.content).toBe(big('a'));
  });

  it('drops the oldest tool results first until the request fits', () => {
    const messages: LlmMessage[] = [
      { role: 'system', content: 'be helpful' },
      { role: 'user', content: big('u') },
      { role: 'assistant', content: '', toolCalls: [{ id: '1', name: 'bash', arguments: {} }] },
      { role: 'tool', toolCallId: '1', content: big('1') },
      { role: 'tool', toolCallId: '2', content: big('2') },
      { role: 'tool', toolCallId: '3', content: big('3') },
    ];
    expect(fitConversation(messages, [], 25_000)).toBe(2);
    expect(messages[3]?.content).toMatch(/^\[tool result of 10000 bytes removed/);
    expect(messages[4]?.content).toMatch(/^\[tool result of 10000 bytes removed/);
    expect(messages[5]?.content).toBe(big('3'));
    expect(messages[1]?.content).toBe(big('u'));
    expect(JSON.stringify({ messages, tools: [] }).length).toBeLessThanOrEqual(25_000);
  });

  it('then cuts other long messages, oldest first', () => {
    const messages: LlmMessage[] = [
      { role: 'user', content: big('h') },
      { role: 'user', content: big('n') },
    ];
    expect(fitConversation(messages, [], 15_000)).toBe(1);
    expect(messages[0]?.content).toMatch(/^h{512}\n\[… 10000 bytes cut/);
    expect(messages[1]?.content).toBe(big('n'));
  });
});
