import type { LlmCompleteParams, LlmCompleteResult } from '@gridbot/core';
import { GridBotError } from '@gridbot/core';

/** Model options taken from the thread's effective config. */
export interface LlmCallOptions {
  model: string;
  temperature: number;
  topP: number;
  maxTokens: number;
  /** Passed to models that support it; ignored by others. */
  reasoningEffort?: 'none' | 'low' | 'medium' | 'high';
  signal?: AbortSignal;
  /**
   * Streams the answer: called with the text so far each time more arrives (a snapshot,
   * not a delta). The result is the same as without it.
   */
  onText?: (textSoFar: string) => void;
}

/** An image for a model to look at, its bytes read from artifact storage at call time. */
export interface LlmImage {
  data: Uint8Array;
  /** `image/jpeg`, `image/png`, `image/gif` or `image/webp`. */
  mimeType: string;
  /** OpenAI's `detail`; Anthropic has none. */
  detail: 'low' | 'high' | 'auto';
}

/** Image types both vision APIs take. */
export const VISION_MIME_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
]);

/** One model API behind one interface; the worker holds the key. */
export interface LlmProvider {
  /** `anthropic`, `openai`, `echo` … as written to the token ledger. */
  readonly name: string;
  complete(params: LlmCompleteParams, options: LlmCallOptions): Promise<LlmCompleteResult>;
  /** Checks the key and the endpoint with one cheap call; absent for offline providers. */
  verify?(): Promise<void>;
  /**
   * Largest image `describeImage` sends (bytes); absent: the provider has no vision. A
   * larger one is scaled down first (`fitImage`).
   */
  readonly maxImageBytes?: number;
  /** Longest image side the provider takes (pixels); absent: any. */
  readonly maxImageEdge?: number;
  /**
   * Asks the model about one image (image content, then `prompt`); absent when the provider
   * cannot see images, which then reach the agent as a text reference.
   */
  describeImage?(
    image: LlmImage,
    prompt: string,
    options: LlmCallOptions,
  ): Promise<LlmCompleteResult>;
}

/**
 * The provider could not answer after its retries (HTTP status when it answered at all).
 * The message is fit for the chat: it never contains the key or the request.
 */
export class LlmUnavailableError extends GridBotError {
  readonly provider: string;
  readonly status: number | null;
  constructor(
    provider: string,
    status: number | null,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LlmUnavailableError';
    this.provider = provider;
    this.status = status;
  }
}
