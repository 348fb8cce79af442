import { describe, expect, it } from 'vitest';
import { EchoProvider } from './echo-provider.ts';
import type { LlmCallOptions } from './llm-provider.ts';

const options: LlmCallOptions = { model: 'echo-1', temperature: 0.7, topP: 1, maxTokens: 100 };

describe('EchoProvider', () => {
  it('echoes the last user message with the requested model and estimated usage', async () => {
    const result = await new EchoProvider().complete(
      {
        messages: [
          { role: 'system', content: 'You are Andy.' },
          { role: 'user', content: '[Alice] first' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: '[Bob] hello' },
        ],
        tools: [],
      },
      options,
    );
    expect(result).toEqual({
      content: 'Echo: [Bob] hello',
      toolCalls: [],
      // 13 + 13 + 2 + 11 = 39 chars in, 17 chars out
      usage: { inputTokens: 10, outputTokens: 5 },
      model: 'echo-1',
      stopReason: 'end_turn',
    });
  });

  it('answers "Echo: " when there is no user message', async () => {
    const result = await new EchoProvider().complete(
      { messages: [{ role: 'system', content: 'hi' }], tools: [] },
      options,
    );
    expect(result.content).toBe('Echo: ');
  });

  it('refuses a call whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      new EchoProvider().complete(
        { messages: [{ role: 'user', content: 'x' }], tools: [] },
        { ...options, signal: controller.signal },
      ),
    ).rejects.toThrow();
  });
});
