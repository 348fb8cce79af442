import type { LlmCompleteParams, LlmCompleteResult, LlmMessage, LlmTool } from '@gridbot/core';
import { GridBotError } from '@gridbot/core';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { LlmCallOptions } from './llm-provider.ts';
import { malformedResponseError } from './provider-failure.ts';

/**
 * Whether a model is an OpenAI reasoning model (o1, o3, o4-mini, gpt-5 …), also behind a
 * router prefix such as `openai/gpt-5`. Those take `max_completion_tokens` and
 * `reasoning_effort`, and refuse a non-default `temperature` / `top_p`.
 */
export function isReasoningModel(model: string): boolean {
  const name = model.slice(model.lastIndexOf('/') + 1);
  return /^(o\d|gpt-5)/.test(name);
}

function toTool(tool: LlmTool): ChatCompletionFunctionTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  };
}

function toMessage(message: LlmMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: message.content };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        content: message.content === '' ? null : message.content,
        tool_calls: calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        })),
      };
    }
    case 'tool':
      if (!message.toolCallId) {
        throw new GridBotError(
          'A tool message has no toolCallId; every tool result must name the tool call it answers.',
        );
      }
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

/**
 * The Chat Completions request for a call. Reasoning models get `max_completion_tokens`
 * (they refuse `max_tokens`) and `reasoning_effort`, and no sampling parameters; other
 * models get `max_tokens`, which OpenAI deprecates but Ollama and LM Studio still require.
 * `top_p` is left out at its default of 1.
 */
export function toOpenAiRequest(
  params: LlmCompleteParams,
  options: LlmCallOptions,
): ChatCompletionCreateParamsNonStreaming {
  const request: ChatCompletionCreateParamsNonStreaming = {
    model: options.model,
    messages: params.messages.map(toMessage),
  };
  if (params.tools.length > 0) request.tools = params.tools.map(toTool);
  if (isReasoningModel(options.model)) {
    request.max_completion_tokens = options.maxTokens;
    if (options.reasoningEffort && options.reasoningEffort !== 'none') {
      request.reasoning_effort = options.reasoningEffort;
    }
  } else {
    request.max_tokens = options.maxTokens;
    request.temperature = options.temperature;
    if (options.topP !== 1) request.top_p = options.topP;
  }
  return request;
}

/** Tool arguments from the model's JSON string; text that is not a JSON object is kept as `_raw`. */
export function parseToolArguments(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Models (small local ones especially) sometimes write broken JSON: keep it for the agent.
  }
  return { _raw: text };
}

/** The result of a chat completion (first choice); custom (non-function) tool calls are ignored. */
export function fromOpenAiCompletion(
  completion: ChatCompletion,
  requestedModel: string,
): LlmCompleteResult {
  const choice = completion.choices?.[0];
  if (!choice?.message) throw malformedResponseError('openai', 'no choices');
  const message = choice.message;
  const toolCalls: LlmCompleteResult['toolCalls'] = [];
  for (const call of message.tool_calls ?? []) {
    if (call.type !== 'function') continue;
    toolCalls.push({
      id: call.id,
      name: call.function.name,
      arguments: parseToolArguments(call.function.arguments ?? ''),
    });
  }
  return {
    content: message.content ?? message.refusal ?? '',
    toolCalls,
    usage: {
      inputTokens: completion.usage?.prompt_tokens ?? 0,
      outputTokens: completion.usage?.completion_tokens ?? 0,
    },
    model: completion.model || requestedModel,
    stopReason: choice.finish_reason ?? 'unknown',
  };
}
