import { join, resolve } from 'node:path';
import { attachDashboard, dashboardEnvSchema, resolveDashboardToken } from '@gridbot/app-dashboard';
import {
  adminUsersFor,
  allowedUsersFor,
  configuredChannels,
  createAdapter,
  gatewayEnvSchema,
  gatewayPlugins,
  SUPPORTED_CHANNELS,
} from '@gridbot/app-gateway';
import { attachScheduler, schedulerEnvSchema } from '@gridbot/app-scheduler';
import { attachWorker, type WorkerComposition, workerEnvSchema } from '@gridbot/app-worker';
import { ConfigError } from '@gridbot/core';
import { type EmbeddedDatabase, openEmbeddedDatabase } from '@gridbot/db';
import { Gateway } from '@gridbot/gateway';
import { SYSTEM_QUEUE, TASKS_QUEUE, THREADS_QUEUE } from '@gridbot/queue';
import {
  type BuildInfo,
  createLogger,
  FileArtifactStore,
  lockDataDir,
  parseEnv,
  RoleRuntime,
  secretsNamedIn,
  secretsOf,
} from '@gridbot/service';

/**
 * Stands in for DATABASE_URL in the roles' settings in the embedded mode; nothing connects
 * to it (the runtime is given the embedded database instead). It names the data directory,
 * so that installs sharing a Docker engine stay apart (see `fleetOf`).
 */
function embeddedDatabaseUrl(dataDir: string): string {
  return `postgres://embedded.invalid/${encodeURIComponent(resolve(dataDir))}`;
}

/**
 * `gridbot start`: every role in one process — a gateway for each channel with credentials,
 * a worker, the scheduler, and the dashboard with the web chat. One HTTP server serves the
 * dashboard and health on DASHBOARD_PORT (HEALTH_PORT, when set, wins). Without
 * DATABASE_URL it needs no server at all: an embedded database in `DATA_DIR/db`.
 */
export async function startCommand(
  givenEnv: Record<string, string | undefined>,
  build: BuildInfo,
  composition: WorkerComposition = {},
): Promise<RoleRuntime> {
  const embedded = !givenEnv.DATABASE_URL;
  if (embedded && givenEnv.REDIS_URL)
    throw new ConfigError(
      'REDIS_URL is set but DATABASE_URL is not: the embedded database works without Redis. Set DATABASE_URL (Postgres) to use Redis, or unset REDIS_URL.',
      ['DATABASE_URL', 'REDIS_URL'],
    );
  const rawEnv: Record<string, string | undefined> = {
    ...givenEnv,
    // One process on one machine: agents in Docker when it answers, else as processes.
    AGENT_RUNTIME: givenEnv.AGENT_RUNTIME || 'auto',
    ...(embedded && { DATABASE_URL: embeddedDatabaseUrl(givenEnv.DATA_DIR || './data') }),
  };
  const dashboardEnv = parseEnv(dashboardEnvSchema, rawEnv);
  const port = String(rawEnv.HEALTH_PORT || dashboardEnv.DASHBOARD_PORT);
  const gatewayEnv = parseEnv(gatewayEnvSchema, { ...rawEnv, HEALTH_PORT: port });
  const workerEnv = parseEnv(workerEnvSchema, { ...rawEnv, HEALTH_PORT: port });
  const schedulerEnv = parseEnv(schedulerEnvSchema, { ...rawEnv, HEALTH_PORT: port });
  const dashboardToken = await resolveDashboardToken({
    fromEnv: dashboardEnv.DASHBOARD_TOKEN,
    dataDir: dashboardEnv.DATA_DIR,
  });
  const logger = createLogger({
    level: gatewayEnv.LOG_LEVEL,
    format: gatewayEnv.LOG_FORMAT,
    name: 'gridbot',
    secrets: [
      ...secretsOf(gatewayEnvSchema, gatewayEnv),
      ...secretsOf(workerEnvSchema, workerEnv),
      ...secretsOf(schedulerEnvSchema, schedulerEnv),
      ...secretsOf(dashboardEnvSchema, dashboardEnv),
      ...secretsNamedIn(rawEnv),
      dashboardToken.token,
    ],
  });
  // A plugin that cannot load stops the start before the database is opened.
  const plugins = await gatewayPlugins(gatewayEnv, logger);
  // One `start` per DATA_DIR: a second would corrupt the embedded database.
  const dataDir = resolve(gatewayEnv.DATA_DIR);
  const unlock = await lockDataDir(dataDir);
  let database: EmbeddedDatabase | undefined;
  try {
    if (embedded) database = await openEmbeddedDatabase(join(dataDir, 'db'));
  } catch (error) {
    await unlock();
    throw error;
  }
  const channels = configuredChannels(gatewayEnv);
  if (channels.length === 0) {
    logger.warn(
      'no channel has credentials (e.g. TELEGRAM_BOT_TOKEN): the web chat on the dashboard still answers',
    );
  }
  const adapters = await Promise.all(
    channels.map((channel) => createAdapter(channel, gatewayEnv, logger.child({ channel }))),
  );
  const gateways: Gateway[] = [];
  let dashboardQueues: () => string[] = () => [];
  const runtime = await RoleRuntime.fromEnv(
    'all',
    gatewayEnv,
    build,
    logger,
    () => [
      ...new Set([
        THREADS_QUEUE,
        TASKS_QUEUE,
        SYSTEM_QUEUE,
        ...gateways.map((g) => g.egress.queueName),
        ...dashboardQueues(),
      ]),
    ],
    { embedded: database, portVariable: rawEnv.HEALTH_PORT ? 'HEALTH_PORT' : 'DASHBOARD_PORT' },
  ).catch(async (error: unknown) => {
    await database?.close();
    await unlock();
    throw error;
  });
  const dashboard = await attachDashboard(
    runtime,
    dashboardEnv,
    logger.child({ role: 'dashboard' }),
    dashboardToken,
    { plugins },
  );
  dashboardQueues = dashboard.watchedQueues;
  for (const adapter of adapters) {
    gateways.push(
      Gateway.onRuntime(runtime, {
        adapter,
        assistantName: gatewayEnv.ASSISTANT_NAME,
        allowedUsers: allowedUsersFor(adapter.channel, gatewayEnv),
        adminUsers: adminUsersFor(adapter.channel, gatewayEnv),
        logger: logger.child({ role: `gateway-${adapter.channel}` }),
        maxPerSecond: gatewayEnv.OUTBOUND_RATE_PER_SECOND,
        outboundConcurrency: gatewayEnv.OUTBOUND_CONCURRENCY,
        userTriggersPerMinute: gatewayEnv.USER_TRIGGERS_PER_MINUTE,
        spoolDir: resolve(gatewayEnv.DATA_DIR, 'spool'),
        artifactStore: new FileArtifactStore(resolve(gatewayEnv.DATA_DIR, 'artifacts')),
        streamReplies: gatewayEnv.STREAM_REPLIES !== 'off',
        plugins,
      }),
    );
  }
  const routes = Object.fromEntries(
    adapters.flatMap((a) => (a.webhook ? [[a.webhook.path, a.webhook.handler] as const] : [])),
  );
  await dashboard.start();
  const listening = await runtime.serve(routes, dashboard.handler, [dashboard.token.token]);
  const worker = await attachWorker(
    runtime,
    workerEnv,
    logger.child({ role: 'worker' }),
    rawEnv,
    composition,
  );
  for (const gateway of gateways) {
    runtime.shutdown.add(`gateway-${gateway.adapter.channel}`, () => gateway.stop());
    await gateway.start();
  }
  worker.start();
  await attachScheduler(runtime, schedulerEnv, logger.child({ role: 'scheduler' }), rawEnv).start();
  runtime.markStarted();
  logger.info({ port: listening, channels: [...channels, 'web', 'cli'] }, 'gridbot started');
  // For the person who just typed the command: where to go, and what is running.
  const missing = SUPPORTED_CHANNELS.filter((c) => !channels.includes(c));
  const where =
    runtime.mode === 'embedded'
      ? `embedded database in ${join(dataDir, 'db')}`
      : runtime.mode === 'postgres-only'
        ? 'Postgres only (queues in Postgres)'
        : 'Postgres and Redis';
  process.stdout.write(
    [
      '',
      `GridBot is running: ${where}.`,
      `  Open http://127.0.0.1:${listening} (log in with the dashboard token), or run: pnpm gridbot chat`,
      `  Channels: ${[...channels, 'web (dashboard)', 'cli (gridbot chat)'].join(', ')}${missing.length > 0 ? `; not configured: ${missing.join(', ')} (see README, Environment)` : ''}`,
      `  Model: ${worker.summary.model}`,
      `  Agents: ${worker.summary.agents}`,
      '',
      '',
    ].join('\n'),
  );
  return runtime;
}
