import { resolve } from 'node:path';
import { Gateway, PostgresReceiveLease } from '@gridbot/gateway';
import {
  type BuildInfo,
  createLogger,
  FileArtifactStore,
  RoleRuntime,
  secretsNamedIn,
  secretsOf,
} from '@gridbot/service';
import { adminUsersFor, allowedUsersFor, createAdapter } from './create-adapter.ts';
import { gatewayEnvSchema, parseGatewayEnv } from './env.ts';
import { gatewayPlugins } from './gateway-plugins.ts';

/**
 * `gridbot gateway --channel <channel>`: parse the environment, check Postgres, Redis and
 * the schema, serve health and the webhook, then connect to the platform. Returns the
 * running role; its `shutdown` stops it.
 */
export async function runGateway(
  channel: string,
  rawEnv: Record<string, string | undefined>,
  build: BuildInfo,
): Promise<RoleRuntime> {
  const env = parseGatewayEnv(rawEnv);
  const logger = createLogger({
    level: env.LOG_LEVEL,
    format: env.LOG_FORMAT,
    name: `gateway-${channel}`,
    secrets: [...secretsOf(gatewayEnvSchema, env), ...secretsNamedIn(rawEnv)],
  });
  // A plugin that cannot load stops the start before anything connects.
  const plugins = await gatewayPlugins(env, logger);
  // The adapter is built (its settings checked) before anything connects; the lease it
  // may take is only asked for at start, once the runtime is there to hold it.
  let runtime: RoleRuntime | undefined;
  const adapter = await createAdapter(channel, env, logger, {
    receiveLease: (account) => ({
      name: account,
      acquire: (signal) =>
        new PostgresReceiveLease({
          db: runtime!.db,
          name: account,
          holder: runtime!.instance.id,
          ttlMs: env.RECEIVE_LEASE_MS,
          logger,
        }).acquire(signal),
    }),
  });
  runtime = await RoleRuntime.fromEnv(`gateway-${channel}`, env, build, logger, () => [
    gateway.egress.queueName,
  ]);
  const gateway = Gateway.onRuntime(runtime, {
    adapter,
    assistantName: env.ASSISTANT_NAME,
    allowedUsers: allowedUsersFor(channel, env),
    adminUsers: adminUsersFor(channel, env),
    logger,
    maxPerSecond: env.OUTBOUND_RATE_PER_SECOND,
    outboundConcurrency: env.OUTBOUND_CONCURRENCY,
    userTriggersPerMinute: env.USER_TRIGGERS_PER_MINUTE,
    spoolDir: resolve(env.DATA_DIR, 'spool'),
    artifactStore: new FileArtifactStore(resolve(env.DATA_DIR, 'artifacts')),
    streamReplies: env.STREAM_REPLIES !== 'off',
    plugins,
  });
  const port = await runtime.serve(
    adapter.webhook ? { [adapter.webhook.path]: adapter.webhook.handler } : {},
  );
  runtime.shutdown.add('gateway', () => gateway.stop());
  await gateway.start();
  runtime.markStarted();
  logger.info({ healthPort: port, mode: env.TELEGRAM_MODE }, 'gateway ready');
  return runtime;
}
