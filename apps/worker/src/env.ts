import { baseEnvShape, parseEnv, portVar, secret, urlVar } from '@gridbot/service';
import { z } from 'zod';

export const workerEnvShape = {
  HEALTH_PORT: portVar(8082),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(5),
  /**
   * `docker` isolates every agent; `process` runs them as child processes (development
   * only); `auto` (the default of `gridbot start`) takes docker when an engine answers and
   * has the image, else process, with a warning and without the `bash` tool.
   */
  AGENT_RUNTIME: z.enum(['auto', 'process', 'docker']).default('docker'),
  /** With `auto` falling back to processes: offer the model the `bash` tool anyway. */
  AGENT_UNSANDBOXED_BASH: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
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
  /** Most disk a thread's workspace may take, checked before each run; 0 = no cap. */
  AGENT_WORKSPACE_MAX_MB: z.coerce.number().int().min(0).default(1024),
  /**
   * The engine's OCI runtime for agent containers (Engine API `HostConfig.Runtime`), e.g.
   * `runsc` for gVisor; it must be registered in the engine's daemon.json. Default: the engine's.
   */
  AGENT_OCI_RUNTIME: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
      message: 'expected the name of a runtime registered with the engine, e.g. runsc',
    })
    .optional(),
  /**
   * The Docker engine (read by dockerode, as by the docker CLI): `unix:///path/docker.sock`
   * or `tcp://host:port`, e.g. a socket proxy. Default: the local socket.
   */
  DOCKER_HOST: z
    .string()
    .regex(/^(unix:\/\/\/.+|tcp:\/\/[^/\s]+:\d+\/?|npipe:\/\/.+)$/, {
      message: 'expected unix:///path/to/docker.sock or tcp://host:port',
    })
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
  /** Default: anthropic when ANTHROPIC_API_KEY is set, else openai with OPENAI_API_KEY, else echo. */
  LLM_PROVIDER: z.enum(['echo', 'anthropic', 'openai']).optional(),
  LLM_MODEL: z.string().min(1).optional(),
  /** Most tokens one model answer may have: the ceiling, a chat or a person may only lower it. */
  LLM_MAX_TOKENS: z.coerce.number().int().min(1).max(200_000).default(4096),
  ANTHROPIC_API_KEY: secret(z.string().min(1).optional()),
  ANTHROPIC_BASE_URL: urlVar(['http', 'https'], 'https://api.anthropic.com').optional(),
  OPENAI_API_KEY: secret(z.string().min(1).optional()),
  /** Any OpenAI-compatible server: OpenAI, Ollama, vLLM, OpenRouter … */
  OPENAI_BASE_URL: urlVar(['http', 'https'], 'http://localhost:11434/v1').optional(),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(120_000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  /** Tokens a thread may use per day (a chat or a person may only lower it); 0 = unlimited. */
  DAILY_TOKEN_BUDGET: z.coerce.number().int().min(0).default(0),
  /** A task firing later than this after its slot counts as missed (misfire policy applies). */
  MISFIRE_GRACE_MS: z.coerce.number().int().min(100).default(60_000),
  /** Most scheduled tasks (active or paused) an agent may create in one thread. */
  MAX_TASKS_PER_THREAD: z.coerce.number().int().min(0).max(100_000).default(20),
  /**
   * Shortest gap between two firings of a task an agent schedules outside the main thread
   * (seconds-level crons only in the main thread unless this allows them); 0 = any.
   */
  MIN_TASK_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /** Most entries in one memory (a thread's, or the global one). */
  MEMORY_MAX_ENTRIES: z.coerce.number().int().min(1).max(10_000).default(200),
  /**
   * Most KiB in one memory. Both memories go to the agent in `initialize`, one line of at
   * most 1 MiB, so the ceiling keeps them together under it.
   */
  MEMORY_MAX_KB: z.coerce.number().int().min(1).max(384).default(64),
  /**
   * Streamed replies: `off` sends only the final reply; otherwise the worker streams the
   * model's text and hands it to the chat about once a second (`edit` and `draft` choose
   * how Telegram will show it; today the web chat shows drafts).
   */
  STREAM_REPLIES: z.enum(['auto', 'off', 'edit', 'draft']).default('auto'),
  /** How long a run's lease on its thread lasts without renewal. */
  LEASE_TTL_MS: z.coerce.number().int().min(1_000).default(60_000),
};

export const workerEnvSchema = z
  .object({ ...baseEnvShape, ...workerEnvShape })
  .superRefine((env, ctx) => {
    if (env.LLM_PROVIDER === 'anthropic' && !env.ANTHROPIC_API_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['ANTHROPIC_API_KEY'],
        message: 'required when LLM_PROVIDER=anthropic',
      });
    }
    if (env.LLM_PROVIDER === 'openai' && !env.OPENAI_API_KEY && !env.OPENAI_BASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['OPENAI_API_KEY'],
        message:
          'required when LLM_PROVIDER=openai (or set OPENAI_BASE_URL for a local server without a key)',
      });
    }
  });
export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export function parseWorkerEnv(env: Record<string, string | undefined>): WorkerEnv {
  return parseEnv(workerEnvSchema, env);
}
