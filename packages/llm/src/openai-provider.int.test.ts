import type { LlmCompleteParams } from '@gridbot/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FakeLlmServer,
  type FakeScript,
  openAiErrorReply,
  startFakeOpenAi,
} from '../../../tests/support/fake-openai.ts';
import { describeLlmProviderFailures } from './llm-provider.contract.ts';
import type { LlmCallOptions } from './llm-provider.ts';
import { OpenAiProvider, type OpenAiProviderOptions } from './openai-provider.ts';

const KEY = 'sk-proj-test-SECRET-5678';
const call: LlmCallOptions = { model: 'llama3.2', temperature: 0.7, topP: 0.9, maxTokens: 256 };
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
  options: Partial<OpenAiProviderOptions> = {},
): Promise<{ provider: OpenAiProvider; server: FakeLlmServer }> {
  const server = await startFakeOpenAi(script);
  fake = server;
  return {
    provider: new OpenAiProvider({ apiKey: KEY, baseURL: server.baseURL, ...options }),
    server,
  };
}

describe('OpenAiProvider against a fake Chat Completions API', () => {
  it('answers text with the usage, model and finish reason of the API', async () => {
    const { provider, server } = await providerFor([
      { text: 'Hello Alice', usage: { input: 42, output: 7 } },
    ]);
    const result = await provider.complete(hello, call);
    expect(result).toEqual({
      content: 'Hello Alice',
      toolCalls: [],
      usage: { inputTokens: 42, outputTokens: 7 },
      model: 'llama3.2',
      stopReason: 'stop',
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
  });

  it('keeps the system prompt as a system message and sends sampling parameters', async () => {
    const { provider, server } = await providerFor([{ text: 'ok' }]);
    await provider.complete(hello, call);
    expect(server.requests[0]?.body).toEqual({
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'You are Andy.' },
        { role: 'user', content: '[Alice] hi' },
      ],
      max_tokens: 256,
      temperature: 0.7,
      top_p: 0.9,
    });
  });

  it('sends a reasoning model max_completion_tokens and reasoning_effort only', async () => {
    const { provider, server } = await providerFor([{ text: 'ok' }]);
    await provider.complete(hello, { ...call, model: 'gpt-5-mini', reasoningEffort: 'medium' });
    const body = server.requests[0]?.body ?? {};
    expect(body).toMatchObject({ max_completion_tokens: 256, reasoning_effort: 'medium' });
    for (const refused of ['max_tokens', 'temperature', 'top_p']) {
      expect(body).not.toHaveProperty(refused);
    }
  });

  it('sends the key as a bearer token', async () => {
    const { provider, server } = await providerFor([{ text: 'ok' }]);
    await provider.complete(hello, call);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('round-trips a tool call: tools out, tool_calls in, tool results back', async () => {
    const { provider, server } = await providerFor([
      {
        text: '',
        toolCalls: [
          { id: 'call_1', name: 'weather', arguments: { city: 'Oslo' } },
          { id: 'call_2', name: 'weather', arguments: '{"city": "Ro' },
        ],
      },
      { text: 'It is -3°C in Oslo.' },
    ]);
    const params: LlmCompleteParams = {
      messages: [{ role: 'user', content: 'Weather in Oslo and Rome?' }],
      tools: [weather],
    };
    const first = await provider.complete(params, call);
    expect(first).toMatchObject({
      content: '',
      toolCalls: [
        { id: 'call_1', name: 'weather', arguments: { city: 'Oslo' } },
        { id: 'call_2', name: 'weather', arguments: { _raw: '{"city": "Ro' } },
      ],
      stopReason: 'tool_calls',
    });
    expect(server.requests[0]?.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'weather',
          description: 'Weather for a city',
          parameters: weather.inputSchema,
        },
      },
    ]);

    await provider.complete(
      {
        ...params,
        messages: [
          ...params.messages,
          { role: 'assistant', content: '', toolCalls: first.toolCalls.slice(0, 1) },
          { role: 'tool', toolCallId: 'call_1', content: '-3°C' },
        ],
      },
      call,
    );
    expect(server.requests[1]?.body.messages).toEqual([
      { role: 'user', content: 'Weather in Oslo and Rome?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'weather', arguments: '{"city":"Oslo"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '-3°C' },
    ]);
  });
});

describeLlmProviderFailures({
  name: 'openai',
  key: KEY,
  startFake: startFakeOpenAi,
  errorReply: (status, message) => openAiErrorReply(status, message),
  create: (options) => new OpenAiProvider({ apiKey: KEY, ...options }),
  call,
  params: hello,
});
