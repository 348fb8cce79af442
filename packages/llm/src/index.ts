export {
  AnthropicProvider,
  type AnthropicProviderOptions,
} from './anthropic-provider.ts';
export {
  type CreateLlmProviderOptions,
  createLlmProvider,
  MissingApiKeyError,
} from './create-llm-provider.ts';
export { EchoProvider } from './echo-provider.ts';
export { type LlmCallOptions, type LlmProvider, LlmUnavailableError } from './llm-provider.ts';
export { OpenAiProvider, type OpenAiProviderOptions } from './openai-provider.ts';
