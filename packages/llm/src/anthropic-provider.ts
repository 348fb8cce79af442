import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
} from '@anthropic-ai/sdk';
import type { LlmCompleteParams, LlmCompleteResult } from '@gridbot/core';
import { fromAnthropicMessage, toAnthropicRequest } from './anthropic-mapping.ts';
import type { LlmCallOptions, LlmProvider } from './llm-provider.ts';
import { type SdkErrorClasses, sdkCallError } from './provider-failure.ts';

/** Options of {@link AnthropicProvider}; nothing is read from the environment. */
export interface AnthropicProviderOptions {
  apiKey: string;
  /** Without `/v1`; defaults to `https://api.anthropic.com`. */
  baseURL?: string;
  /** Retries after the first attempt on 408/409/429/5xx, connection errors and timeouts (2). */
  maxRetries?: number;
  /** Per attempt, in milliseconds (120000). */
  timeoutMs?: number;
}

const DEFAULT_BASE_URL = 'https://api.anthropic.com';

const SDK_ERRORS: SdkErrorClasses = { APIConnectionTimeoutError, APIConnectionError, APIError };

/**
 * Anthropic's Messages API through `@anthropic-ai/sdk`, which retries with backoff and honours
 * `retry-after`. After its retries a call throws {@link LlmUnavailableError}; an aborted
 * `signal` cancels the HTTP request and rethrows the signal's reason.
 */
export class AnthropicProvider implements LlmProvider {
  readonly name = 'anthropic';
  readonly #client: Anthropic;
  readonly #maxRetries: number;
  readonly #timeoutMs: number;

  constructor(options: AnthropicProviderOptions) {
    this.#maxRetries = options.maxRetries ?? 2;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    // Every option the SDK would otherwise take from ANTHROPIC_* variables is given explicitly.
    this.#client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? DEFAULT_BASE_URL,
      webhookKey: null,
      maxRetries: this.#maxRetries,
      timeout: this.#timeoutMs,
    });
  }

  /** One Messages API call (several HTTP attempts when the API is failing). */
  async complete(params: LlmCompleteParams, options: LlmCallOptions): Promise<LlmCompleteResult> {
    const request = toAnthropicRequest(params, options);
    try {
      const message = await this.#client.messages.create(request, { signal: options.signal });
      return fromAnthropicMessage(message);
    } catch (error) {
      throw sdkCallError(
        error,
        SDK_ERRORS,
        {
          provider: this.name,
          model: options.model,
          maxRetries: this.#maxRetries,
          timeoutMs: this.#timeoutMs,
        },
        options.signal,
      );
    }
  }
}
