import { baseEnvShape, parseEnv, portVar, secret } from '@gridbot/service';
import { z } from 'zod';

export const dashboardEnvShape = {
  DASHBOARD_PORT: portVar(3000),
  /** The login token; generated into DATA_DIR at the first start when unset. */
  DASHBOARD_TOKEN: secret(
    z
      .string()
      .regex(/^[\x21-\x7e]{16,256}$/, {
        message: 'expected 16-256 printable characters without spaces (e.g. openssl rand -hex 24)',
      })
      .optional(),
  ),
  /** Set when the dashboard is served over HTTPS, so cookies are marked Secure. */
  DASHBOARD_SECURE_COOKIES: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /**
   * As for the gateways: messages one person may send per thread and minute that start runs,
   * for the web chat and as the global value the dashboard shows; 0: no limit.
   */
  USER_TRIGGERS_PER_MINUTE: z.coerce.number().int().min(0).max(10_000).default(10),
};

export const dashboardEnvSchema = z.object({ ...baseEnvShape, ...dashboardEnvShape });
export type DashboardEnvVars = z.infer<typeof dashboardEnvSchema>;

/** The dashboard's settings; throws a ConfigError naming each bad variable. */
export function parseDashboardEnv(env: Record<string, string | undefined>): DashboardEnvVars {
  return parseEnv(dashboardEnvSchema, env);
}
