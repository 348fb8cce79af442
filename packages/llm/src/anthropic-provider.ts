import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
} from '@anthropic-ai/sdk';
import type { LlmCompleteParams, LlmCompleteResult } from '@gridbot/core';
import { fromAnthropicMessage, toAnthropicRequest } from './anthropic-mapping.ts';
import type { LlmCallOptions, LlmImage, LlmProvider } from './llm-provider.ts';
import { checkedCall, type SdkErrorClasses, sdkCallError } from './provider-failure.ts';

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

  /** Anthropic takes images of up to 5 MB (base64-decoded). */
  readonly maxImageBytes = 5 * 1024 * 1024;
  /** Anthropic rejects images with a side over 8000 pixels. */
  readonly maxImageEdge = 8000;

  /**
   * Checks the key with one cheap call (listing models): throws LlmUnavailableError when
   * Anthropic refuses it (401, 403) or does not answer.
   */
  async verify(): Promise<void> {
    await checkedCall(() => this.#client.models.list({ limit: 1 }), SDK_ERRORS, {
      provider: this.name,
      maxRetries: this.#maxRetries,
      timeoutMs: this.#timeoutMs,
    });
  }

  /** One Messages API call (several HTTP attempts when the API is failing). */
  async complete(params: LlmCompleteParams, options: LlmCallOptions): Promise<LlmCompleteResult> {
    return this.#send(toAnthropicRequest(params, options), options);
  }

  /** An image block (base64 source) followed by the prompt, in one user message. */
  async describeImage(
    image: LlmImage,
    prompt: string,
    options: LlmCallOptions,
  ): Promise<LlmCompleteResult> {
    const request = toAnthropicRequest(
      { messages: [{ role: 'user', content: prompt }], tools: [] },
      options,
    );
    request.messages = [
      {
        role: 'user',
        content: [
          {
            type: 'image',
            source: {
              type: 'base64',
              media_type: image.mimeType as 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp',
              data: Buffer.from(image.data).toString('base64'),
            },
          },
          { type: 'text', text: prompt },
        ],
      },
    ];
    return this.#send(request, options);
  }

  async #send(
    request: ReturnType<typeof toAnthropicRequest>,
    options: LlmCallOptions,
  ): Promise<LlmCompleteResult> {
    try {
      const { onText } = options;
      if (onText) {
        // The SDK's MessageStream accumulates the events into the same Message.
        const stream = this.#client.messages.stream(request, { signal: options.signal });
        stream.on('text', (_delta, snapshot) => onText(snapshot));
        return fromAnthropicMessage(await stream.finalMessage());
      }
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
