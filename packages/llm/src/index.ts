export { EchoProvider } from './echo-provider.ts';
export type { LlmCallOptions, LlmProvider } from './llm-provider.ts';
