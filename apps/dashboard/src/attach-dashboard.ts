import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { WebAdapter, WebUploads } from '@gridbot/channels';
import { Gateway, type PluginHost } from '@gridbot/gateway';
import { FileArtifactStore, type Logger, type RoleRuntime } from '@gridbot/service';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { createDashboardApp, QUEUES_PATH } from './app.ts';
import type { DashboardEnv } from './dashboard-env.ts';
import { DashboardSessions } from './dashboard-sessions.ts';
import type { DashboardToken } from './dashboard-token.ts';
import type { DashboardEnvVars } from './env.ts';
import { QueueBoard } from './queue-board.ts';
import { SessionSigner } from './session.ts';
import { OPERATOR_ID, WebChat } from './web-chat.ts';

/** A dashboard wired into a role: its HTTP handler and the web channel's gateway. */
export interface AttachedDashboard {
  /** The web app itself (tests call `app.request`, and walk `app.routes`). */
  app: Hono<DashboardEnv>;
  /** Node's request listener for the web app (mounted as the health server's fallback). */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  board: QueueBoard;
  token: DashboardToken;
  /** Queue names for `/metrics`. */
  watchedQueues(): string[];
  /** Starts the web channel (ingress and egress). */
  start(): Promise<void>;
}

/**
 * Builds the dashboard inside a role's runtime: the token (resolved by the caller, whose
 * logger must scrub it; printed once when generated), Bull Board over the install's
 * queues, and the `web` channel, whose ingress and egress run in this process like a
 * gateway's. Sessions issued under another token end here, on every instance. `plugins`
 * (`gridbot start` passes the gateways' own) apply to the web and terminal chats too.
 */
export async function attachDashboard(
  runtime: RoleRuntime,
  env: DashboardEnvVars,
  logger: Logger,
  token: DashboardToken,
  options: { plugins?: PluginHost } = {},
): Promise<AttachedDashboard> {
  if (token.source === 'generated') {
    // Printed once, on stdout and never through the logger, so log shipping never keeps it.
    process.stdout.write(
      `\nGridBot dashboard token (generated, kept in ${token.path}):\n\n    ${token.token}\n\nLog in with it, or set DASHBOARD_TOKEN. It is not shown again.\n\n`,
    );
  }
  const board = new QueueBoard({
    queues: runtime.queues,
    transport: runtime.transport,
    basePath: QUEUES_PATH,
  });
  await runtime.transport.waitReady(10_000);
  await board.refresh();
  const refresher = setInterval(() => {
    board
      .refresh()
      .catch((error: unknown) => logger.debug({ err: error }, 'queue discovery failed'));
  }, 30_000);
  refresher.unref();
  runtime.shutdown.add('queue-board', () => clearInterval(refresher));

  // The browser's chat and the terminal's (`gridbot chat`): one gateway each, in-process.
  // Images posted in the chats wait in DATA_DIR/uploads until the intake stores them with
  // the gateways' (DATA_DIR/artifacts), where the page reads them back.
  const artifactStore = new FileArtifactStore(resolve(env.DATA_DIR, 'artifacts'));
  const chat = (channel: 'web' | 'cli') => {
    const uploads = new WebUploads({ dir: resolve(env.DATA_DIR, 'uploads', channel) });
    const adapter = new WebAdapter({
      channel,
      bus: runtime.transport.pubsub,
      prefix: env.QUEUE_PREFIX,
      assistantName: env.ASSISTANT_NAME,
      logger: logger.child({ channel }),
      uploads,
    });
    const gateway = Gateway.onRuntime(runtime, {
      adapter,
      assistantName: env.ASSISTANT_NAME,
      allowedUsers: new Set([OPERATOR_ID]),
      // Whoever is logged in to the dashboard operates the install.
      adminUsers: new Set([OPERATOR_ID]),
      logger: logger.child({ role: `gateway-${channel}` }),
      spoolDir: resolve(env.DATA_DIR, 'spool'),
      artifactStore,
      ...(options.plugins && { plugins: options.plugins }),
      userTriggersPerMinute: env.USER_TRIGGERS_PER_MINUTE,
    });
    return new WebChat({ adapter, gateway, db: runtime.db, logger, uploads, artifactStore });
  };
  const web = chat('web');
  const terminal = chat('cli');
  const sessions = new DashboardSessions(runtime.db, new SessionSigner(token.token));
  const ended = await sessions.endOtherTokens();
  if (ended > 0) logger.info({ ended }, 'the dashboard token changed: older sessions ended');
  const app = createDashboardApp(
    {
      db: runtime.db,
      queues: runtime.queues,
      board,
      web,
      terminal,
      logger,
      heartbeatMs: env.HEARTBEAT_MS,
      userTriggersPerMinute: env.USER_TRIGGERS_PER_MINUTE,
      mode: runtime.mode,
      dataDir: resolve(env.DATA_DIR),
    },
    { sessions, secureCookies: env.DASHBOARD_SECURE_COOKIES },
  );
  return {
    app,
    handler: getRequestListener(app.fetch),
    board,
    token,
    watchedQueues: () => board.names,
    async start() {
      for (const { gateway } of [web, terminal]) {
        runtime.shutdown.add(`gateway-${gateway.adapter.channel}`, () => gateway.stop());
        await gateway.start();
      }
    },
  };
}
