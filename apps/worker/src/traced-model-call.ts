import type { LlmCompleteResult } from '@gridbot/core';
import { inSpan, SpanKind } from '@gridbot/telemetry';

/**
 * A model call as a span named as OpenTelemetry's generative-AI conventions say
 * (`chat <model>`), with the provider, the models asked for and answered with, the tokens
 * and why the model stopped.
 */
export function tracedModelCall(
  provider: string,
  model: string,
  call: () => Promise<LlmCompleteResult>,
): Promise<LlmCompleteResult> {
  const attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': model,
  };
  return inSpan(`chat ${model}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    const result = await call();
    span.setAttributes({
      'gen_ai.response.model': result.model,
      'gen_ai.usage.input_tokens': result.usage.inputTokens,
      'gen_ai.usage.output_tokens': result.usage.outputTokens,
      'gen_ai.response.finish_reasons': [result.stopReason],
    });
    return result;
  });
}
