import type { LlmCompleteParams, LlmCompleteResult } from '@gridbot/core';
import type { LlmCallOptions, LlmProvider } from './llm-provider.ts';

/** Rough token estimate (about four characters per token), good enough for an offline provider. */
function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/**
 * An offline provider for trying GridBot without an API key: it answers
 * `Echo: <last user message>`, never calls tools, and estimates usage from text length.
 */
export class EchoProvider implements LlmProvider {
  readonly name = 'echo';

  /** Echoes the content of the last `user` message; no network, no side effects. */
  async complete(params: LlmCompleteParams, options: LlmCallOptions): Promise<LlmCompleteResult> {
    options.signal?.throwIfAborted();
    const lastUser = params.messages.findLast((message) => message.role === 'user');
    const content = `Echo: ${lastUser?.content ?? ''}`;
    const inputChars = params.messages.reduce((sum, message) => sum + message.content.length, 0);
    return {
      content,
      toolCalls: [],
      usage: {
        inputTokens: estimateTokens(inputChars),
        outputTokens: estimateTokens(content.length),
      },
      model: options.model,
      stopReason: 'end_turn',
    };
  }
}
