import type { LlmCompleteParams } from '@gridbot/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  anthropicErrorReply,
  type FakeLlmServer,
  type FakeScript,
  startFakeAnthropic,
} from '../../../tests/support/fake-anthropic.ts';
import { AnthropicProvider, type AnthropicProviderOptions } from './anthropic-provider.ts';
import { describeLlmProviderFailures } from './llm-provider.contract.ts';
import type { LlmCallOptions } from './llm-provider.ts';

const KEY = 'sk-ant-test-SECRET-1234';
const call: LlmCallOptions = { model: 'claude-test', temperature: 0.7, topP: 1, maxTokens: 256 };
const hello: LlmCompleteParams = {
  messages: [
    { role: 'system', content: 'You are Andy.' },
    { role: 'user', content: '[Alice] hi' },
  ],
  tools: [],
};
const weather = {
  name: 'weather',
  description: 'Weather for a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

let fake: FakeLlmServer | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

async function providerFor(
  script: FakeScript,
  options: Partial<AnthropicProviderOptions> = {},
): Promise<{ provider: AnthropicProvider; server: FakeLlmServer }> {
  const server = await startFakeAnthropic(script);
  fake = server;
  return {
    provider: new AnthropicProvider({ apiKey: KEY, baseURL: server.baseURL, ...options }),
    server,
  };
}

describe('AnthropicProvider against a fake Messages API', () => {
  it('answers text with the usage, model and stop reason of the API', async () => {
    const { provider, server } = await providerFor([
      { text: 'Hello Alice', usage: { input: 42, output: 7 } },
    ]);
    const result = await provider.complete(hello, call);
    expect(result).toEqual({
      content: 'Hello Alice',
      toolCalls: [],
      usage: { inputTokens: 42, outputTokens: 7 },
      model: 'claude-test',
      stopReason: 'end_turn',
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/messages' });
  });

  it('puts the system prompt in `system` and sends no sampling parameters', async () => {
    const { provider, server } = await providerFor([{ text: 'ok' }]);
    await provider.complete(
      { ...hello, messages: [...hello.messages, { role: 'system', content: 'Be brief.' }] },
      { ...call, topP: 0.9 },
    );
    const body = server.requests[0]?.body;
    expect(body).toEqual({
      model: 'claude-test',
      max_tokens: 256,
      system: 'You are Andy.\n\nBe brief.',
      messages: [{ role: 'user', content: '[Alice] hi' }],
    });
  });

  it('sends the key as a bearer token (SDK 1.x) with the API version', async () => {
    const { provider, server } = await providerFor([{ text: 'ok' }]);
    await provider.complete(hello, call);
    const headers = server.requests[0]?.headers ?? {};
    expect(headers.authorization).toBe(`Bearer ${KEY}`);
    expect(headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('round-trips a tool call: tools out, tool_use in, tool_result back', async () => {
    const { provider, server } = await providerFor([
      {
        text: 'Let me check.',
        toolCalls: [{ id: 'toolu_1', name: 'weather', arguments: { city: 'Oslo' } }],
      },
      { text: 'It is -3°C in Oslo.' },
    ]);
    const params: LlmCompleteParams = {
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [weather],
    };
    const first = await provider.complete(params, call);
    expect(first).toMatchObject({
      content: 'Let me check.',
      toolCalls: [{ id: 'toolu_1', name: 'weather', arguments: { city: 'Oslo' } }],
      stopReason: 'tool_use',
    });
    expect(server.requests[0]?.body.tools).toEqual([
      { name: 'weather', description: 'Weather for a city', input_schema: weather.inputSchema },
    ]);

    const second = await provider.complete(
      {
        ...params,
        messages: [
          ...params.messages,
          { role: 'assistant', content: first.content, toolCalls: first.toolCalls },
          { role: 'tool', toolCallId: 'toolu_1', content: '-3°C' },
        ],
      },
      call,
    );
    expect(second.content).toBe('It is -3°C in Oslo.');
    expect(server.requests[1]?.body.messages).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '-3°C' }] },
    ]);
  });
});

describeLlmProviderFailures({
  name: 'anthropic',
  key: KEY,
  startFake: startFakeAnthropic,
  errorReply: (status, message) => anthropicErrorReply(status, message),
  create: (options) => new AnthropicProvider({ apiKey: KEY, ...options }),
  call,
  params: hello,
});
