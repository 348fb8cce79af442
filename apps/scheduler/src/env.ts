import { baseEnvShape, parseEnv, portVar } from '@gridbot/service';
import { z } from 'zod';

export const schedulerEnvShape = {
  HEALTH_PORT: portVar(8083),
  /** How often the sweeper looks for stranded work. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(500).default(3_000),
  /** How long an outbox row may stay unsent before the sweeper enqueues it again. */
  OUTBOX_GRACE_MS: z.coerce.number().int().min(100).default(10_000),
  /** Threads inactive longer than this are deleted with their data (0 keeps everything). */
  RETENTION_DAYS: z.coerce.number().int().min(0).default(90),
  /** Full reconciliation of task schedules, besides the change notifications. */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1_000).default(60_000),
};

export const schedulerEnvSchema = z.object({ ...baseEnvShape, ...schedulerEnvShape });
export type SchedulerEnv = z.infer<typeof schedulerEnvSchema>;

export function parseSchedulerEnv(env: Record<string, string | undefined>): SchedulerEnv {
  return parseEnv(schedulerEnvSchema, env);
}
