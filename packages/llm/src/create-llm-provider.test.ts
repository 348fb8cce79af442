import { describe, expect, it } from 'vitest';
import { AnthropicProvider } from './anthropic-provider.ts';
import { createLlmProvider, MissingApiKeyError } from './create-llm-provider.ts';
import { EchoProvider } from './echo-provider.ts';
import { OpenAiProvider } from './openai-provider.ts';

describe('createLlmProvider', () => {
  it('builds each provider', async () => {
    expect(await createLlmProvider({ provider: 'echo' })).toBeInstanceOf(EchoProvider);
    expect(await createLlmProvider({ provider: 'anthropic', apiKey: 'k' })).toBeInstanceOf(
      AnthropicProvider,
    );
    expect(
      await createLlmProvider({
        provider: 'openai',
        apiKey: 'k',
        baseURL: 'http://localhost:11434/v1',
      }),
    ).toBeInstanceOf(OpenAiProvider);
  });

  it.each(['anthropic', 'openai'] as const)('refuses %s without an API key', async (provider) => {
    await expect(createLlmProvider({ provider })).rejects.toThrow(MissingApiKeyError);
    await expect(createLlmProvider({ provider, apiKey: '' })).rejects.toThrow(/needs an API key/);
  });
});
