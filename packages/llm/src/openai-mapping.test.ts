import type { LlmCompleteParams } from '@gridbot/core';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import type { LlmCallOptions } from './llm-provider.ts';
import { LlmUnavailableError } from './llm-provider.ts';
import {
  fromOpenAiCompletion,
  isReasoningModel,
  parseToolArguments,
  toOpenAiRequest,
} from './openai-mapping.ts';

const options: LlmCallOptions = { model: 'llama3.2', temperature: 0.7, topP: 0.9, maxTokens: 500 };
const plain: LlmCompleteParams = { messages: [{ role: 'user', content: 'hi' }], tools: [] };

describe('toOpenAiRequest', () => {
  it('maps every role, tool calls as JSON strings and tools as functions', () => {
    const request = toOpenAiRequest(
      {
        messages: [
          { role: 'system', content: 'You are Andy.' },
          { role: 'user', content: 'Weather in Oslo?' },
          {
            role: 'assistant',
            content: '',
            toolCalls: [{ id: 'call_1', name: 'weather', arguments: { city: 'Oslo' } }],
          },
          { role: 'tool', toolCallId: 'call_1', content: '-3°C' },
          { role: 'assistant', content: 'It is -3°C.' },
        ],
        tools: [{ name: 'weather', description: 'Weather', inputSchema: { type: 'object' } }],
      },
      options,
    );
    expect(request).toEqual({
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'You are Andy.' },
        { role: 'user', content: 'Weather in Oslo?' },
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
        { role: 'assistant', content: 'It is -3°C.' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'weather', description: 'Weather', parameters: { type: 'object' } },
        },
      ],
      max_tokens: 500,
      temperature: 0.7,
      top_p: 0.9,
    });
  });

  it('omits tools when there are none, top_p at 1, and reasoning_effort for other models', () => {
    const request = toOpenAiRequest(plain, { ...options, topP: 1, reasoningEffort: 'high' });
    expect(request).not.toHaveProperty('tools');
    expect(request).not.toHaveProperty('top_p');
    expect(request).not.toHaveProperty('reasoning_effort');
  });

  it('gives reasoning models max_completion_tokens and reasoning_effort, no sampling', () => {
    const request = toOpenAiRequest(plain, {
      ...options,
      model: 'o4-mini',
      reasoningEffort: 'low',
    });
    expect(request).toEqual({
      model: 'o4-mini',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 500,
      reasoning_effort: 'low',
    });
    const none = toOpenAiRequest(plain, { ...options, model: 'gpt-5', reasoningEffort: 'none' });
    expect(none).not.toHaveProperty('reasoning_effort');
  });
});

describe('isReasoningModel', () => {
  it.each([
    ['o1', true],
    ['o3-mini', true],
    ['gpt-5', true],
    ['gpt-5.1-mini', true],
    ['openai/gpt-5', true],
    ['gpt-4o', false],
    ['llama3.2', false],
    ['qwen/qwen3-32b', false],
    ['olmo-2', false],
  ])('%s → %s', (model, expected) => {
    expect(isReasoningModel(model)).toBe(expected);
  });
});

describe('parseToolArguments', () => {
  it('parses a JSON object, treats "" as no arguments and keeps anything else as _raw', () => {
    expect(parseToolArguments('{"a":1}')).toEqual({ a: 1 });
    expect(parseToolArguments('')).toEqual({});
    expect(parseToolArguments('{"a":')).toEqual({ _raw: '{"a":' });
    expect(parseToolArguments('[1]')).toEqual({ _raw: '[1]' });
  });
});

describe('fromOpenAiCompletion', () => {
  const completion = (message: object, extra: object = {}) =>
    ({
      id: 'c1',
      object: 'chat.completion',
      created: 0,
      model: 'gpt-4o-2024-08-06',
      choices: [{ index: 0, message, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
      ...extra,
    }) as unknown as ChatCompletion;

  it('maps content, usage, model and finish reason', () => {
    expect(
      fromOpenAiCompletion(completion({ role: 'assistant', content: 'Hi' }), 'gpt-4o'),
    ).toEqual({
      content: 'Hi',
      toolCalls: [],
      usage: { inputTokens: 12, outputTokens: 3 },
      model: 'gpt-4o-2024-08-06',
      stopReason: 'stop',
    });
  });

  it('parses tool calls, keeps broken arguments as _raw, counts missing usage as 0', () => {
    const result = fromOpenAiCompletion(
      completion(
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } },
            { id: 'b', type: 'function', function: { name: 'g', arguments: '{x:1' } },
            { id: 'c', type: 'custom', custom: { name: 'h', input: 'raw' } },
          ],
        },
        { usage: undefined, model: '' },
      ),
      'llama3.2',
    );
    expect(result).toMatchObject({
      content: '',
      toolCalls: [
        { id: 'a', name: 'f', arguments: { x: 1 } },
        { id: 'b', name: 'g', arguments: { _raw: '{x:1' } },
      ],
      usage: { inputTokens: 0, outputTokens: 0 },
      model: 'llama3.2',
    });
  });

  it('throws LlmUnavailableError for an answer without choices', () => {
    expect(() => fromOpenAiCompletion(completion({}, { choices: [] }), 'm')).toThrow(
      LlmUnavailableError,
    );
  });
});
