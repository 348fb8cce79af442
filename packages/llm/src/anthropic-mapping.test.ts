import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { LlmCompleteParams } from '@gridbot/core';
import { describe, expect, it } from 'vitest';
import { fromAnthropicMessage, toAnthropicRequest } from './anthropic-mapping.ts';
import type { LlmCallOptions } from './llm-provider.ts';

const options: LlmCallOptions = {
  model: 'claude-test',
  temperature: 0.7,
  topP: 0.9,
  maxTokens: 1000,
  reasoningEffort: 'high',
};

const weather = {
  name: 'weather',
  description: 'Weather for a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
};

describe('toAnthropicRequest', () => {
  it('joins system messages into `system` and keeps user/assistant turns in order', () => {
    const params: LlmCompleteParams = {
      messages: [
        { role: 'system', content: 'You are Andy.' },
        { role: 'user', content: '[Alice] hi' },
        { role: 'assistant', content: 'Hello Alice' },
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: '[Bob] hey' },
      ],
      tools: [],
    };
    expect(toAnthropicRequest(params, options)).toEqual({
      model: 'claude-test',
      max_tokens: 1000,
      system: 'You are Andy.\n\nBe brief.',
      messages: [
        { role: 'user', content: '[Alice] hi' },
        { role: 'assistant', content: 'Hello Alice' },
        { role: 'user', content: '[Bob] hey' },
      ],
    });
  });

  it('sends no sampling parameters, which API version 2026-10-21 refuses', () => {
    const request = toAnthropicRequest(
      { messages: [{ role: 'user', content: 'x' }], tools: [] },
      options,
    );
    expect(request).not.toHaveProperty('temperature');
    expect(request).not.toHaveProperty('top_p');
    expect(request).not.toHaveProperty('system');
    expect(request).not.toHaveProperty('tools');
  });

  it('maps tools, tool_use turns and groups consecutive tool results into one user turn', () => {
    const request = toAnthropicRequest(
      {
        messages: [
          { role: 'user', content: 'Weather in Oslo and Rome?' },
          {
            role: 'assistant',
            content: 'Checking.',
            toolCalls: [
              { id: 'tu_1', name: 'weather', arguments: { city: 'Oslo' } },
              { id: 'tu_2', name: 'weather', arguments: { city: 'Rome' } },
            ],
          },
          { role: 'tool', toolCallId: 'tu_1', content: '-3°C' },
          { role: 'tool', toolCallId: 'tu_2', content: '18°C' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'tu_3', name: 'weather', arguments: {} }],
          },
          { role: 'tool', toolCallId: 'tu_3', content: 'error' },
        ],
        tools: [weather],
      },
      options,
    );
    expect(request.tools).toEqual([
      { name: 'weather', description: 'Weather for a city', input_schema: weather.inputSchema },
    ]);
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather in Oslo and Rome?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'tu_1', name: 'weather', input: { city: 'Oslo' } },
          { type: 'tool_use', id: 'tu_2', name: 'weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'tu_1', content: '-3°C' },
          { type: 'tool_result', tool_use_id: 'tu_2', content: '18°C' },
        ],
      },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'tu_3', name: 'weather', input: {} }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_3', content: 'error' }] },
    ]);
  });

  it('drops an empty assistant turn without tool calls (the API refuses empty text)', () => {
    const request = toAnthropicRequest(
      {
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: '' },
          { role: 'user', content: 'b' },
        ],
        tools: [],
      },
      options,
    );
    expect(request.messages).toEqual([
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ]);
  });

  it('refuses a tool message without toolCallId', () => {
    expect(() =>
      toAnthropicRequest({ messages: [{ role: 'tool', content: 'x' }], tools: [] }, options),
    ).toThrow(/toolCallId/);
  });
});

describe('fromAnthropicMessage', () => {
  const base = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-test-20261001',
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
  };

  it('joins text blocks, maps tool_use blocks and skips thinking blocks', () => {
    const message = {
      ...base,
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 's' },
        { type: 'text', text: 'Let me ' },
        { type: 'text', text: 'check.' },
        { type: 'tool_use', id: 'tu_1', name: 'weather', input: { city: 'Oslo' } },
      ],
      stop_reason: 'tool_use',
      usage: {
        input_tokens: 100,
        output_tokens: 20,
        cache_creation_input_tokens: 5,
        cache_read_input_tokens: 50,
      },
    } as unknown as Message;
    expect(fromAnthropicMessage(message)).toEqual({
      content: 'Let me check.',
      toolCalls: [{ id: 'tu_1', name: 'weather', arguments: { city: 'Oslo' } }],
      usage: { inputTokens: 155, outputTokens: 20 },
      model: 'claude-test-20261001',
      stopReason: 'tool_use',
    });
  });

  it('answers "" for a message without text', () => {
    const message = {
      ...base,
      content: [],
      stop_reason: 'max_tokens',
      usage: { input_tokens: 1, output_tokens: 0 },
    } as unknown as Message;
    expect(fromAnthropicMessage(message)).toMatchObject({ content: '', stopReason: 'max_tokens' });
  });
});
