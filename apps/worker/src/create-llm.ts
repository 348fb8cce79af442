import { DEFAULT_BEHAVIOUR } from '@gridbot/core';
import { createLlmProvider, type LlmProvider } from '@gridbot/llm';
import type { Logger } from '@gridbot/service';
import type { WorkerEnv } from './env.ts';

/** Models used when LLM_MODEL is not set. */
const DEFAULT_MODELS = {
  anthropic: 'claude-sonnet-4-5',
  openai: 'gpt-4o-mini',
  echo: 'echo',
} as const;

/** Which provider answers: LLM_PROVIDER, or the one whose key is set, or the offline echo. */
export function chooseProvider(env: WorkerEnv): 'anthropic' | 'openai' | 'echo' {
  if (env.LLM_PROVIDER) return env.LLM_PROVIDER;
  if (env.ANTHROPIC_API_KEY) return 'anthropic';
  if (env.OPENAI_API_KEY) return 'openai';
  return 'echo';
}

/** The provider and the default model from the environment; warns when falling back to echo. */
export async function createLlm(
  env: WorkerEnv,
  logger: Logger,
): Promise<{ provider: LlmProvider; model: string }> {
  const name = chooseProvider(env);
  if (name === 'echo' && !env.LLM_PROVIDER) {
    logger.warn(
      'no LLM key set (ANTHROPIC_API_KEY or OPENAI_API_KEY): answering with the offline echo provider',
    );
  }
  const provider = await createLlmProvider({
    provider: name,
    ...(name === 'anthropic' && { apiKey: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL }),
    // Local OpenAI-compatible servers (Ollama, vLLM) often need no key.
    ...(name === 'openai' && {
      apiKey: env.OPENAI_API_KEY ?? 'not-needed',
      baseURL: env.OPENAI_BASE_URL,
    }),
    maxRetries: env.LLM_MAX_RETRIES,
    timeoutMs: env.LLM_TIMEOUT_MS,
  });
  return { provider, model: env.LLM_MODEL ?? DEFAULT_MODELS[name] ?? DEFAULT_BEHAVIOUR.model };
}
