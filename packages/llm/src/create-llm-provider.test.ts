import { describe, expect, it } from 'vitest';
import { AnthropicProvider } from './anthropic-provider.ts';
import { createLlmProvider, MissingApiKeyError } from './create-llm-provider.ts';
import { EchoProvider } from './echo-provider.ts';
import { OpenAiProvider } from './openai-provider.ts';

describe('createLlmProvider', () => {
  it('builds each provider', () => {
    expect(createLlmProvider({ provider: 'echo' })).toBeInstanceOf(EchoProvider);
    expect(createLlmProvider({ provider: 'anthropic', apiKey: 'k' })).toBeInstanceOf(
      AnthropicProvider,
    );
    expect(
      createLlmProvider({ provider: 'openai', apiKey: 'k', baseURL: 'http://localhost:11434/v1' }),
    ).toBeInstanceOf(OpenAiProvider);
  });

  it.each(['anthropic', 'openai'] as const)('refuses %s without an API key', (provider) => {
    expect(() => createLlmProvider({ provider })).toThrow(MissingApiKeyError);
    expect(() => createLlmProvider({ provider, apiKey: '' })).toThrow(/needs an API key/);
  });
});
