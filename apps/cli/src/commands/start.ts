import { resolve } from 'node:path';
import { attachDashboard, dashboardEnvSchema } from '@gridbot/app-dashboard';
import {
  allowedUsersFor,
  configuredChannels,
  createAdapter,
  Gateway,
  gatewayEnvSchema,
} from '@gridbot/app-gateway';
import { attachScheduler, schedulerEnvSchema } from '@gridbot/app-scheduler';
import { attachWorker, workerEnvSchema } from '@gridbot/app-worker';
import { SYSTEM_QUEUE, TASKS_QUEUE, THREADS_QUEUE } from '@gridbot/queue';
import { type BuildInfo, createLogger, parseEnv, RoleRuntime } from '@gridbot/service';

/**
 * `gridbot start`: every role in one process — a gateway for each channel with credentials,
 * a worker, the scheduler, and the dashboard with the web chat. One HTTP server serves the
 * dashboard and health on DASHBOARD_PORT (HEALTH_PORT, when set, wins).
 */
export async function startCommand(
  rawEnv: Record<string, string | undefined>,
  build: BuildInfo,
): Promise<RoleRuntime> {
  const dashboardEnv = parseEnv(dashboardEnvSchema, rawEnv);
  const port = String(rawEnv.HEALTH_PORT || dashboardEnv.DASHBOARD_PORT);
  const gatewayEnv = parseEnv(gatewayEnvSchema, { ...rawEnv, HEALTH_PORT: port });
  const workerEnv = parseEnv(workerEnvSchema, { ...rawEnv, HEALTH_PORT: port });
  const schedulerEnv = parseEnv(schedulerEnvSchema, { ...rawEnv, HEALTH_PORT: port });
  const logger = createLogger({
    level: gatewayEnv.LOG_LEVEL,
    name: 'gridbot',
    secrets: [
      gatewayEnv.TELEGRAM_BOT_TOKEN,
      gatewayEnv.TELEGRAM_WEBHOOK_SECRET,
      gatewayEnv.DISCORD_BOT_TOKEN,
      workerEnv.ANTHROPIC_API_KEY,
      workerEnv.OPENAI_API_KEY,
      dashboardEnv.DASHBOARD_TOKEN,
    ].filter((s): s is string => !!s),
  });
  const channels = configuredChannels(gatewayEnv);
  if (channels.length === 0) {
    logger.warn('no channel has credentials (e.g. TELEGRAM_BOT_TOKEN): running the worker only');
  }
  const adapters = await Promise.all(
    channels.map((channel) => createAdapter(channel, gatewayEnv, logger.child({ channel }))),
  );
  const gateways: Gateway[] = [];
  let dashboardQueues: () => string[] = () => [];
  const runtime = await RoleRuntime.fromEnv('all', gatewayEnv, build, logger, () => [
    ...new Set([
      THREADS_QUEUE,
      TASKS_QUEUE,
      SYSTEM_QUEUE,
      ...gateways.map((g) => g.egress.queueName),
      ...dashboardQueues(),
    ]),
  ]);
  const dashboard = await attachDashboard(
    runtime,
    dashboardEnv,
    logger.child({ role: 'dashboard' }),
  );
  dashboardQueues = dashboard.watchedQueues;
  for (const adapter of adapters) {
    gateways.push(
      Gateway.onRuntime(runtime, {
        adapter,
        assistantName: gatewayEnv.ASSISTANT_NAME,
        allowedUsers: allowedUsersFor(adapter.channel, gatewayEnv),
        logger: logger.child({ role: `gateway-${adapter.channel}` }),
        maxPerSecond: gatewayEnv.OUTBOUND_RATE_PER_SECOND,
        outboundConcurrency: gatewayEnv.OUTBOUND_CONCURRENCY,
        spoolDir: resolve(gatewayEnv.DATA_DIR, 'spool'),
      }),
    );
  }
  const routes = Object.fromEntries(
    adapters.flatMap((a) => (a.webhook ? [[a.webhook.path, a.webhook.handler] as const] : [])),
  );
  await dashboard.start();
  const listening = await runtime.serve(routes, dashboard.handler);
  const worker = await attachWorker(runtime, workerEnv, logger.child({ role: 'worker' }), rawEnv);
  for (const gateway of gateways) {
    runtime.shutdown.add(`gateway-${gateway.adapter.channel}`, () => gateway.stop());
    await gateway.start();
  }
  worker.start();
  await attachScheduler(runtime, schedulerEnv, logger.child({ role: 'scheduler' }), rawEnv).start();
  logger.info({ port: listening, channels: [...channels, 'web'] }, 'gridbot started');
  return runtime;
}
