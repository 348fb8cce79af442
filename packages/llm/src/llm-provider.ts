import type { LlmCompleteParams, LlmCompleteResult } from '@gridbot/core';

/** Model options taken from the thread's effective config. */
export interface LlmCallOptions {
  model: string;
  temperature: number;
  topP: number;
  maxTokens: number;
  signal?: AbortSignal;
}

/** One model API behind one interface; the worker holds the key. */
export interface LlmProvider {
  /** `anthropic`, `openai`, `echo` … as written to the token ledger. */
  readonly name: string;
  complete(params: LlmCompleteParams, options: LlmCallOptions): Promise<LlmCompleteResult>;
}
