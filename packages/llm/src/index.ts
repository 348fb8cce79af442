// The SDK-backed providers are built through createLlmProvider, which loads only the one
// chosen; their classes are not re-exported so importing this package stays light.
export type { AnthropicProviderOptions } from './anthropic-provider.ts';
export {
  type CreateLlmProviderOptions,
  createLlmProvider,
  MissingApiKeyError,
} from './create-llm-provider.ts';
export { EchoProvider } from './echo-provider.ts';
export { type FittedImage, fitImage, ImageFitError, type ImageLimits } from './fit-image.ts';
export {
  type LlmCallOptions,
  type LlmImage,
  type LlmProvider,
  LlmUnavailableError,
  VISION_MIME_TYPES,
} from './llm-provider.ts';
export type { OpenAiProviderOptions } from './openai-provider.ts';
