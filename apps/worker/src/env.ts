import { baseEnvShape, parseEnv, portVar } from '@gridbot/service';
import { z } from 'zod';

export const workerEnvShape = {
  HEALTH_PORT: portVar(8082),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(5),
  /** `docker` isolates every agent; `process` runs them as child processes (development only). */
  AGENT_RUNTIME: z.enum(['process', 'docker']).default('docker'),
  AGENT_IMAGE: z.string().min(1).default('gridbot-agent:latest'),
  /** The agent command line (whitespace-separated), replacing the image's or the built-in one. */
  AGENT_COMMAND: z.string().min(1).optional(),
  /** How long a thread's agent stays warm after a run, for its next run; 0 disables reuse. */
  AGENT_IDLE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(5 * 60_000),
  AGENT_MEMORY_MB: z.coerce.number().int().min(32).default(512),
  AGENT_CPUS: z.coerce.number().min(0.1).max(64).default(1),
  AGENT_PIDS: z.coerce.number().int().min(16).default(256),
  AGENT_OUTPUT_MB: z.coerce.number().int().min(1).default(16),
  /** `uid:gid` agents run as (docker); default the worker's own ids, or 1000 when it is root. */
  AGENT_USER: z
    .string()
    .regex(/^[1-9]\d*:\d+$/, { message: 'expected a non-root uid:gid, e.g. 1000:1000' })
    .optional(),
  /** The mount allowlist, kept outside the project and never mounted into agents. */
  MOUNT_ALLOWLIST: z.string().min(1).optional(),
  /** Shared instructions, mounted read-only at /workspace/global. */
  GLOBAL_DIR: z.string().min(1).optional(),
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
