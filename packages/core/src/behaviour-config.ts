import { z } from 'zod';

/**
 * Behaviour settings, resolved global → user → thread. Every key is optional at the user
 * and thread levels; the global level supplies all of them.
 */
export const behaviourConfigSchema = z.object({
  model: z.string().min(1),
  temperature: z.number().min(0).max(2),
  top_p: z.number().min(0).max(1),
  max_tokens: z.number().int().min(1).max(200_000),
  reasoning_effort: z.enum(['none', 'low', 'medium', 'high']),
  verbosity: z.enum(['low', 'medium', 'high']),
  timezone: z.string().min(1),
  history_limit: z.number().int().min(0).max(500),
  /** Model calls one run may make (the agent's tool loop stops there with a message). */
  max_steps: z.number().int().min(1).max(100),
  daily_token_budget: z.number().int().min(0),
  tools_requiring_approval: z.array(z.string()),
  /**
   * Messages addressing the assistant one person may send in this thread per minute that
   * start runs; the rest are kept as context. 0: no limit.
   */
  user_triggers_per_minute: z.number().int().min(0).max(10_000),
  /** Narrower limits for this thread's agent; the operator's limits always cap them. */
  sandbox: z
    .object({
      memory_mb: z.number().int().min(32),
      cpus: z.number().min(0.1),
      pids: z.number().int().min(16),
      timeout_ms: z.number().int().min(1_000),
    })
    .partial()
    .strict(),
  /** Host directories to mount into the thread's agent; each must pass the mount allowlist. */
  additional_mounts: z
    .array(
      z.object({
        hostPath: z.string().min(1),
        /** Relative name under `/workspace/extra/`; defaults to the host directory's name. */
        containerPath: z.string().min(1).optional(),
        readOnly: z.boolean().default(true),
      }),
    )
    .max(16),
});
export type BehaviourConfig = z.infer<typeof behaviourConfigSchema>;

export const partialBehaviourConfigSchema = behaviourConfigSchema.partial().strict();
export type PartialBehaviourConfig = z.infer<typeof partialBehaviourConfigSchema>;

/** The built-in defaults, before any environment or user override. */
export const DEFAULT_BEHAVIOUR: BehaviourConfig = {
  model: 'echo',
  temperature: 0.7,
  top_p: 1,
  max_tokens: 4096,
  reasoning_effort: 'medium',
  verbosity: 'medium',
  timezone: 'UTC',
  history_limit: 30,
  max_steps: 20,
  daily_token_budget: 0,
  tools_requiring_approval: [],
  user_triggers_per_minute: 10,
  sandbox: {},
  additional_mounts: [],
};

/** Keeps only the valid keys of a stored override, so one bad value cannot break a thread. */
function validKeys(raw: unknown): PartialBehaviourConfig {
  if (raw === null || typeof raw !== 'object') return {};
  const out: Record<string, unknown> = {};
  const shape = behaviourConfigSchema.shape as Record<string, z.ZodType>;
  for (const [key, value] of Object.entries(raw)) {
    const field = shape[key];
    if (field?.safeParse(value).success) out[key] = value;
  }
  return out as PartialBehaviourConfig;
}

/** Resolves the effective config: global defaults, then the user's, then the thread's overrides. */
export function resolveConfig(
  global: BehaviourConfig,
  user: unknown = {},
  thread: unknown = {},
): BehaviourConfig {
  return { ...global, ...validKeys(user), ...validKeys(thread) };
}
