import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  Tool,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import type { LlmCompleteParams, LlmCompleteResult, LlmMessage, LlmTool } from '@gridbot/core';
import { GridBotError } from '@gridbot/core';
import type { LlmCallOptions } from './llm-provider.ts';

function toTool(tool: LlmTool): Tool {
  return {
    name: tool.name,
    description: tool.description,
    input_schema: tool.inputSchema as Tool.InputSchema,
  };
}

function toToolResult(message: LlmMessage): ToolResultBlockParam {
  if (!message.toolCallId) {
    throw new GridBotError(
      'A tool message has no toolCallId; every tool result must name the tool call it answers.',
    );
  }
  return { type: 'tool_result', tool_use_id: message.toolCallId, content: message.content };
}

function toAssistant(message: LlmMessage): MessageParam | null {
  const calls = message.toolCalls ?? [];
  if (calls.length === 0) {
    // The API refuses empty text blocks; an empty turn carries nothing anyway.
    return message.content === '' ? null : { role: 'assistant', content: message.content };
  }
  const blocks: ContentBlockParam[] = [];
  if (message.content !== '') blocks.push({ type: 'text', text: message.content });
  for (const call of calls) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
  }
  return { role: 'assistant', content: blocks };
}

/** The conversation without system messages, in Messages API turns. */
function toMessages(messages: LlmMessage[]): MessageParam[] {
  const out: MessageParam[] = [];
  let toolResults: ToolResultBlockParam[] | null = null;
  for (const message of messages) {
    if (message.role === 'tool') {
      // Consecutive tool results answer one assistant turn: they go back as ONE user turn.
      if (toolResults === null) {
        toolResults = [];
        out.push({ role: 'user', content: toolResults });
      }
      toolResults.push(toToolResult(message));
      continue;
    }
    toolResults = null;
    if (message.role === 'user') out.push({ role: 'user', content: message.content });
    if (message.role === 'assistant') {
      const turn = toAssistant(message);
      if (turn) out.push(turn);
    }
  }
  return out;
}

/**
 * The Messages API request for a call. System messages are joined into `system`.
 *
 * `temperature` and `top_p` are not sent: API version 2026-10-21, which `@anthropic-ai/sdk`
 * 1.x sends, refuses them with HTTP 400 even at their defaults (the SDK dropped them).
 * `reasoningEffort` is not sent either: not every model accepts `output_config.effort`.
 */
export function toAnthropicRequest(
  params: LlmCompleteParams,
  options: LlmCallOptions,
): MessageCreateParamsNonStreaming {
  const system = params.messages
    .filter((message) => message.role === 'system')
    .map((message) => message.content)
    .join('\n\n');
  return {
    model: options.model,
    max_tokens: options.maxTokens,
    messages: toMessages(params.messages),
    ...(system !== '' && { system }),
    ...(params.tools.length > 0 && { tools: params.tools.map(toTool) }),
  };
}

function asArguments(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input)
    ? (input as Record<string, unknown>)
    : { _raw: input };
}

/**
 * The result of a Messages API answer: text blocks joined, `tool_use` blocks as tool calls;
 * thinking and server-tool blocks are left out. Input tokens include cache reads and writes
 * (the API's own definition of total input).
 */
export function fromAnthropicMessage(message: Message): LlmCompleteResult {
  let content = '';
  const toolCalls: LlmCompleteResult['toolCalls'] = [];
  for (const block of message.content) {
    if (block.type === 'text') content += block.text;
    if (block.type === 'tool_use') {
      toolCalls.push({ id: block.id, name: block.name, arguments: asArguments(block.input) });
    }
  }
  const usage = message.usage;
  return {
    content,
    toolCalls,
    usage: {
      inputTokens:
        (usage.input_tokens ?? 0) +
        (usage.cache_creation_input_tokens ?? 0) +
        (usage.cache_read_input_tokens ?? 0),
      outputTokens: usage.output_tokens ?? 0,
    },
    model: message.model,
    stopReason: message.stop_reason ?? 'unknown',
  };
}
