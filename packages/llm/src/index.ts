export { EchoProvider } from './echo-provider.ts';
export { type LlmCallOptions, type LlmProvider, LlmUnavailableError } from './llm-provider.ts';
