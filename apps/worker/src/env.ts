import { baseEnvShape, parseEnv, portVar } from '@gridbot/service';
import { z } from 'zod';

export const workerEnvShape = {
  HEALTH_PORT: portVar(8082),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(5),
  /**
   * `process` runs agents as child processes (development and tests: NOT isolated). The
   * `docker` runtime is the production default once it lands; until then it is refused.
   */
  AGENT_RUNTIME: z.enum(['process', 'docker']).default('process'),
  /** Process runtime: the agent command line (whitespace-separated); the built-in agent by default. */
  AGENT_COMMAND: z.string().min(1).optional(),
  AGENT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(30 * 60_000),
  WORKSPACE_DIR: z.string().min(1).optional(),
  LLM_PROVIDER: z.enum(['echo', 'anthropic', 'openai']).optional(),
  LLM_MODEL: z.string().min(1).optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  /** How long a run's lease on its thread lasts without renewal. */
  LEASE_TTL_MS: z.coerce.number().int().min(1_000).default(60_000),
};

export const workerEnvSchema = z
  .object({ ...baseEnvShape, ...workerEnvShape })
  .superRefine((env, ctx) => {
    if (env.AGENT_RUNTIME === 'docker') {
      ctx.addIssue({
        code: 'custom',
        path: ['AGENT_RUNTIME'],
        message:
          'the docker runtime is not available in this version yet; use AGENT_RUNTIME=process',
      });
    }
    if (env.LLM_PROVIDER && env.LLM_PROVIDER !== 'echo') {
      ctx.addIssue({
        code: 'custom',
        path: ['LLM_PROVIDER'],
        message: `${env.LLM_PROVIDER} is not available in this version yet; use echo (the offline provider)`,
      });
    }
  });
export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export function parseWorkerEnv(env: Record<string, string | undefined>): WorkerEnv {
  return parseEnv(workerEnvSchema, env);
}
