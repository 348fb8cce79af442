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
 * and a worker. Needs DATABASE_URL and REDIS_URL for now.
 */
export async function startCommand(
  rawEnv: Record<string, string | undefined>,
  build: BuildInfo,
): Promise<RoleRuntime> {
  const gatewayEnv = parseEnv(gatewayEnvSchema, { HEALTH_PORT: '8080', ...rawEnv });
  const workerEnv = parseEnv(workerEnvSchema, { HEALTH_PORT: '8080', ...rawEnv });
  const schedulerEnv = parseEnv(schedulerEnvSchema, { HEALTH_PORT: '8080', ...rawEnv });
  const logger = createLogger({
    level: gatewayEnv.LOG_LEVEL,
    name: 'gridbot',
    secrets: [
      gatewayEnv.TELEGRAM_BOT_TOKEN,
      gatewayEnv.TELEGRAM_WEBHOOK_SECRET,
      gatewayEnv.DISCORD_BOT_TOKEN,
      workerEnv.ANTHROPIC_API_KEY,
      workerEnv.OPENAI_API_KEY,
    ].filter((s): s is string => !!s),
  });
  const channels = configuredChannels(gatewayEnv);
  if (channels.length === 0) {
    logger.warn('no channel has credentials (e.g. TELEGRAM_BOT_TOKEN): running the worker only');
  }
  const adapters = channels.map((channel) =>
    createAdapter(channel, gatewayEnv, logger.child({ channel })),
  );
  const gateways: Gateway[] = [];
  const runtime = await RoleRuntime.fromEnv('all', gatewayEnv, build, logger, () => [
    THREADS_QUEUE,
    TASKS_QUEUE,
    SYSTEM_QUEUE,
    ...gateways.map((g) => g.egress.queueName),
  ]);
  for (const adapter of adapters) {
    gateways.push(
      new Gateway({
        adapter,
        db: runtime.db,
        queues: runtime.queues,
        connection: runtime.blocking,
        prefix: gatewayEnv.QUEUE_PREFIX,
        assistantName: gatewayEnv.ASSISTANT_NAME,
        allowedUsers: allowedUsersFor(adapter.channel, gatewayEnv),
        logger: logger.child({ role: `gateway-${adapter.channel}` }),
        metrics: runtime.metrics,
      }),
    );
  }
  const routes = Object.fromEntries(
    adapters.flatMap((a) => (a.webhook ? [[a.webhook.path, a.webhook.handler] as const] : [])),
  );
  const port = await runtime.serve(routes);
  const worker = await attachWorker(runtime, workerEnv, logger.child({ role: 'worker' }), rawEnv);
  for (const gateway of gateways) {
    runtime.shutdown.add(`gateway-${gateway.adapter.channel}`, () => gateway.stop());
    await gateway.start();
  }
  worker.start();
  await attachScheduler(runtime, schedulerEnv, logger.child({ role: 'scheduler' })).start();
  logger.info({ healthPort: port, channels }, 'gridbot started');
  return runtime;
}
