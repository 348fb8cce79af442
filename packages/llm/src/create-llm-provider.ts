import { GridBotError } from '@gridbot/core';
import { EchoProvider } from './echo-provider.ts';
import type { LlmProvider } from './llm-provider.ts';

/** Which provider to build and how to reach it (the worker maps its env into this). */
export interface CreateLlmProviderOptions {
  provider: 'anthropic' | 'openai' | 'echo';
  /** Required for `anthropic` and `openai` (any non-empty string for a keyless local server). */
  apiKey?: string;
  baseURL?: string;
  maxRetries?: number;
  timeoutMs?: number;
}

/** A provider needs a key and none was given. */
export class MissingApiKeyError extends GridBotError {
  readonly provider: string;
  constructor(provider: string) {
    super(
      `The ${provider} provider needs an API key, and none was given. Pass apiKey, or use the ` +
        `offline echo provider. For a local server without keys (Ollama, vLLM) any value works.`,
    );
    this.name = 'MissingApiKeyError';
    this.provider = provider;
  }
}

/**
 * Builds the configured provider; throws {@link MissingApiKeyError} when its key is missing.
 * Only the chosen provider's SDK is loaded (each weighs about 10 MB of a worker's memory).
 */
export async function createLlmProvider(options: CreateLlmProviderOptions): Promise<LlmProvider> {
  const { provider, apiKey, ...connection } = options;
  if (provider === 'echo') return new EchoProvider();
  if (!apiKey) throw new MissingApiKeyError(provider);
  if (provider === 'anthropic') {
    const { AnthropicProvider } = await import('./anthropic-provider.ts');
    return new AnthropicProvider({ ...connection, apiKey });
  }
  const { OpenAiProvider } = await import('./openai-provider.ts');
  return new OpenAiProvider({ ...connection, apiKey });
}
