import {
  type BuildInfo,
  createLogger,
  RoleRuntime,
  secretsNamedIn,
  secretsOf,
} from '@gridbot/service';
import { attachDashboard } from './attach-dashboard.ts';
import { resolveDashboardToken } from './dashboard-token.ts';
import { dashboardEnvSchema, parseDashboardEnv } from './env.ts';

/**
 * `gridbot dashboard`: Bull Board, the admin pages and API, the web chat, and health on
 * DASHBOARD_PORT. Returns the running role; its `shutdown` stops it.
 */
export async function runDashboard(
  rawEnv: Record<string, string | undefined>,
  build: BuildInfo,
): Promise<RoleRuntime> {
  const env = parseDashboardEnv(rawEnv);
  const token = await resolveDashboardToken({
    fromEnv: env.DASHBOARD_TOKEN,
    dataDir: env.DATA_DIR,
  });
  const logger = createLogger({
    level: env.LOG_LEVEL,
    format: env.LOG_FORMAT,
    name: 'dashboard',
    // A generated token is as secret as one from the environment.
    secrets: [...secretsOf(dashboardEnvSchema, env), ...secretsNamedIn(rawEnv), token.token],
  });
  let watched: () => string[] = () => [];
  const runtime = await RoleRuntime.fromEnv(
    'dashboard',
    { ...env, HEALTH_PORT: env.DASHBOARD_PORT },
    build,
    logger,
    () => watched(),
    { portVariable: 'DASHBOARD_PORT' },
  );
  const dashboard = await attachDashboard(runtime, env, logger, token);
  watched = dashboard.watchedQueues;
  await dashboard.start();
  const port = await runtime.serve({}, dashboard.handler, [dashboard.token.token]);
  runtime.markStarted();
  logger.info({ port }, 'dashboard ready');
  return runtime;
}
