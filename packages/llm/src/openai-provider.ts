import type { LlmCompleteParams, LlmCompleteResult } from '@gridbot/core';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { LlmCallOptions, LlmImage, LlmProvider } from './llm-provider.ts';
import { fromOpenAiCompletion, toOpenAiRequest } from './openai-mapping.ts';
import { checkedCall, type SdkErrorClasses, sdkCallError } from './provider-failure.ts';

/** Options of {@link OpenAiProvider}; nothing is read from the environment. */
export interface OpenAiProviderOptions {
  apiKey: string;
  /**
   * Any OpenAI-compatible server, usually ending in `/v1`: Ollama `http://localhost:11434/v1`,
   * vLLM, OpenRouter `https://openrouter.ai/api/v1` … Defaults to `https://api.openai.com/v1`.
   */
  baseURL?: string;
  /** Retries after the first attempt on 408/409/429/5xx, connection errors and timeouts (2). */
  maxRetries?: number;
  /** Per attempt, in milliseconds (120000). */
  timeoutMs?: number;
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

const SDK_ERRORS: SdkErrorClasses = { APIConnectionTimeoutError, APIConnectionError, APIError };

/**
 * OpenAI-compatible Chat Completions through the `openai` SDK, which retries with backoff and
 * honours `retry-after`. After its retries a call throws {@link LlmUnavailableError}; an
 * aborted `signal` cancels the HTTP request and rethrows the signal's reason.
 */
export class OpenAiProvider implements LlmProvider {
  readonly name = 'openai';
  readonly #client: OpenAI;
  readonly #maxRetries: number;
  readonly #timeoutMs: number;

  constructor(options: OpenAiProviderOptions) {
    this.#maxRetries = options.maxRetries ?? 2;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    // Every option the SDK would otherwise take from OPENAI_* variables is given explicitly.
    this.#client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL ?? DEFAULT_BASE_URL,
      adminAPIKey: null,
      organization: null,
      project: null,
      webhookSecret: null,
      maxRetries: this.#maxRetries,
      timeout: this.#timeoutMs,
    });
  }

  /** OpenAI takes images of up to 20 MB. */
  readonly maxImageBytes = 20 * 1024 * 1024;

  /** One chat completion (several HTTP attempts when the server is failing). */
  /**
   * Checks the key with one cheap call (listing models): throws LlmUnavailableError when
   * OpenAI refuses it (401, 403) or does not answer.
   */
  async verify(): Promise<void> {
    await checkedCall(() => this.#client.models.list(), SDK_ERRORS, {
      provider: this.name,
      maxRetries: this.#maxRetries,
      timeoutMs: this.#timeoutMs,
    });
  }

  async complete(params: LlmCompleteParams, options: LlmCallOptions): Promise<LlmCompleteResult> {
    return this.#send(toOpenAiRequest(params, options), options);
  }

  /** The prompt and an `image_url` part (a data URL) in one user message, at `image.detail`. */
  async describeImage(
    image: LlmImage,
    prompt: string,
    options: LlmCallOptions,
  ): Promise<LlmCompleteResult> {
    const request = toOpenAiRequest(
      { messages: [{ role: 'user', content: prompt }], tools: [] },
      options,
    );
    const url = `data:${image.mimeType};base64,${Buffer.from(image.data).toString('base64')}`;
    request.messages = [
      {
        role: 'user',
        content: [
          { type: 'text', text: prompt },
          { type: 'image_url', image_url: { url, detail: image.detail } },
        ],
      },
    ];
    return this.#send(request, options);
  }

  async #send(
    request: ReturnType<typeof toOpenAiRequest>,
    options: LlmCallOptions,
  ): Promise<LlmCompleteResult> {
    let completion: OpenAI.ChatCompletion;
    try {
      const { onText } = options;
      if (onText) {
        // The SDK's ChatCompletionStream accumulates the chunks into the same completion.
        const stream = this.#client.chat.completions.stream(
          { ...request, stream: true, stream_options: { include_usage: true } },
          { signal: options.signal },
        );
        stream.on('content.delta', ({ snapshot }) => onText(snapshot));
        completion = await stream.finalChatCompletion();
      } else {
        completion = await this.#client.chat.completions.create(request, {
          signal: options.signal,
        });
      }
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
    return fromOpenAiCompletion(completion, options.model);
  }
}
