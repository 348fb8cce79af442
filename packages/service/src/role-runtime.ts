import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ServiceUnavailableError, timingSafeEqualText } from '@gridbot/core';
import {
  assertSchemaCurrent,
  createDatabase,
  type Database,
  type EmbeddedDatabase,
  migrateToLatest,
} from '@gridbot/db';
import {
  assertRedisReachable,
  createBullmqPool,
  PipelineQueues,
  PostgresTransport,
  type QueueTransport,
  RedisTransport,
} from '@gridbot/queue';
import { queueTelemetry, stopTelemetry } from '@gridbot/telemetry';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { BaseEnv } from './env.ts';
import { HealthServer, type RouteHandler } from './health-server.ts';
import { InstanceRegistry } from './instance-registry.ts';
import { createMetrics, type ServiceMetrics } from './metrics.ts';
import { Shutdown } from './shutdown.ts';

export interface RoleRuntimeOptions {
  role: string;
  databaseUrl: string;
  /**
   * The embedded database (`gridbot start` without DATABASE_URL): used instead of
   * `databaseUrl`, migrated at open, queues on it; the runtime closes it.
   */
  embedded?: EmbeddedDatabase;
  /** Unset: the Postgres-only mode (BullMQ's PostgreSQL backend, LISTEN/NOTIFY). */
  redisUrl?: string | undefined;
  queuePrefix: string;
  healthPort: number;
  /** The variable `healthPort` came from, for the message when it is taken. */
  healthPortVariable?: string;
  /** The health port's interface; see `HEALTH_HOST`. */
  healthHost?: string;
  /** Required (as a Bearer token) for `/metrics` when set. */
  metricsToken?: string;
  version: string;
  gitSha: string | null;
  logger: Logger;
  /** Bound on a graceful stop. */
  shutdownTimeoutMs: number;
  heartbeatMs?: number;
  /** Queues whose depth `/metrics` reports. */
  watchedQueues?: () => string[];
}

/** The version being run, reported in `instances`. */
export interface BuildInfo {
  version: string;
  gitSha: string | null;
}

/** A URL fit for messages: the password replaced. */
export function safeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * One query on `db`, or the one-line error every command gives when DATABASE_URL's
 * Postgres does not answer (the password masked).
 */
export async function assertPostgresReachable(
  db: Kysely<Database>,
  databaseUrl: string,
): Promise<void> {
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    throw new ServiceUnavailableError(
      'postgres',
      `DATABASE_URL: cannot reach Postgres at ${safeUrl(databaseUrl)} (${(error as Error).message}). Start Postgres or fix DATABASE_URL.`,
      { cause: error },
    );
  }
}

/** The deployment mode of a role (see DESIGN.md, "Modes"). */
export type DeploymentMode = 'redis' | 'postgres-only' | 'embedded';

/**
 * What every role process holds: Postgres, the queue transport (Redis, or Postgres in the
 * Postgres-only mode), the queues, metrics, the health server, its fleet registration and
 * its shutdown sequence. `open` checks every dependency first and fails with an error
 * naming the variable to fix.
 */
export class RoleRuntime {
  readonly db: Kysely<Database>;
  readonly transport: QueueTransport;
  readonly queues: PipelineQueues;
  readonly metrics: ServiceMetrics;
  readonly shutdown: Shutdown;
  readonly instance: InstanceRegistry;
  readonly options: RoleRuntimeOptions;
  #health: HealthServer | null = null;
  /** Set by {@link markStarted}: until then `/readyz` says the role is still starting. */
  #started = false;

  private constructor(
    options: RoleRuntimeOptions,
    db: Kysely<Database>,
    transport: QueueTransport,
  ) {
    this.options = options;
    this.db = db;
    this.transport = transport;
    this.queues = new PipelineQueues({ transport, prefix: options.queuePrefix });
    this.metrics = createMetrics(options.role, async () => {
      const rows: Array<{ queue: string; state: string; count: number }> = [];
      for (const name of options.watchedQueues?.() ?? []) {
        const counts = await this.queues
          .queue(name)
          .getJobCounts('waiting', 'active', 'delayed', 'failed');
        for (const [state, count] of Object.entries(counts))
          rows.push({ queue: name, state, count });
      }
      return rows;
    });
    this.shutdown = new Shutdown(options.logger);
    this.instance = new InstanceRegistry({
      db,
      role: options.role,
      version: options.version,
      gitSha: options.gitSha,
      logger: options.logger,
      ...(options.heartbeatMs && { heartbeatMs: options.heartbeatMs }),
    });
  }

  /** Opens a role from its parsed environment. */
  static fromEnv(
    role: string,
    env: BaseEnv & { HEALTH_PORT: number },
    build: BuildInfo,
    logger: Logger,
    watchedQueues: () => string[],
    extra: {
      /** The embedded database, for `gridbot start` without DATABASE_URL. */
      embedded?: EmbeddedDatabase | undefined;
      /** Where HEALTH_PORT came from (`DASHBOARD_PORT`), named when the port is taken. */
      portVariable?: string;
    } = {},
  ): Promise<RoleRuntime> {
    const { embedded, portVariable } = extra;
    return RoleRuntime.open({
      role,
      ...(embedded && { embedded }),
      ...(portVariable && { healthPortVariable: portVariable }),
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      queuePrefix: env.QUEUE_PREFIX,
      healthPort: env.HEALTH_PORT,
      healthHost: env.HEALTH_HOST ?? defaultHealthHost(env),
      ...(env.METRICS_TOKEN && { metricsToken: env.METRICS_TOKEN }),
      version: build.version,
      gitSha: build.gitSha,
      logger,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      heartbeatMs: env.HEARTBEAT_MS,
      watchedQueues,
    });
  }

  get mode(): DeploymentMode {
    if (this.options.embedded) return 'embedded';
    return this.transport.kind === 'redis' ? 'redis' : 'postgres-only';
  }

  static async open(options: RoleRuntimeOptions): Promise<RoleRuntime> {
    if (options.embedded) return RoleRuntime.#openEmbedded(options, options.embedded);
    const { redisUrl } = options;
    if (redisUrl) {
      try {
        await assertRedisReachable(redisUrl);
      } catch (error) {
        throw new ServiceUnavailableError(
          'redis',
          `REDIS_URL: cannot reach Redis at ${safeUrl(redisUrl)} (${(error as Error).message}). Start Redis or fix REDIS_URL (unset it for the Postgres-only mode).`,
          { cause: error },
        );
      }
    }
    const db = createDatabase({
      connectionString: options.databaseUrl,
      applicationName: `gridbot-${options.role}`,
      onPoolError: (error) =>
        options.logger.warn({ err: error }, 'a Postgres connection failed; the pool replaces it'),
    });
    try {
      await assertPostgresReachable(db, options.databaseUrl);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    let transport: QueueTransport;
    try {
      await assertSchemaCurrent(db);
      transport = await RoleRuntime.#openTransport(options);
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return RoleRuntime.#assemble(options, db, transport, () => db.destroy());
  }

  /** The embedded mode: one process owns the data, so it migrates the schema itself. */
  static async #openEmbedded(
    options: RoleRuntimeOptions,
    embedded: EmbeddedDatabase,
  ): Promise<RoleRuntime> {
    let transport: QueueTransport;
    try {
      await migrateToLatest(embedded.db);
      transport = await PostgresTransport.open({
        pool: embedded.pool,
        ownsPool: false,
        telemetry: queueTelemetry(),
      });
    } catch (error) {
      await embedded.close().catch(() => {});
      throw error;
    }
    return RoleRuntime.#assemble(options, embedded.db, transport, () => embedded.close());
  }

  static #assemble(
    options: RoleRuntimeOptions,
    db: Kysely<Database>,
    transport: QueueTransport,
    closeDatabase: () => Promise<void>,
  ): RoleRuntime {
    const runtime = new RoleRuntime(options, db, transport);
    const where = {
      redis: 'queues and pub/sub on Redis',
      'postgres-only': 'queues and pub/sub on Postgres (REDIS_URL is not set)',
      embedded: `embedded database in ${options.embedded?.dataDir}, queues and pub/sub on it`,
    };
    options.logger.info({ mode: runtime.mode }, where[runtime.mode]);
    // From here a stop signal stops what is built so far, even while the role still starts.
    runtime.installSignalHandlers();
    // Last of all: the spans of the stop itself are exported too.
    runtime.shutdown.add('telemetry', () => stopTelemetry());
    runtime.shutdown.add('postgres', closeDatabase);
    runtime.shutdown.add(transport.kind === 'redis' ? 'redis' : 'queue pool', () =>
      transport.close(),
    );
    runtime.shutdown.add('queues', () => runtime.queues.close());
    return runtime;
  }

  static async #openTransport(options: RoleRuntimeOptions): Promise<QueueTransport> {
    const { logger, role } = options;
    if (options.redisUrl)
      return new RedisTransport({
        url: options.redisUrl,
        prefix: options.queuePrefix,
        connectionName: `gridbot-${role}`,
        onError: (error) => logger.debug({ err: error }, 'redis connection error'),
        telemetry: queueTelemetry(),
      });
    const pool = createBullmqPool({
      connectionString: options.databaseUrl,
      applicationName: `gridbot-${role}-queues`,
      onError: (error) =>
        logger.warn({ err: error }, 'a Postgres queue connection failed; the pool replaces it'),
    });
    try {
      return await PostgresTransport.open({ pool, ownsPool: true, telemetry: queueTelemetry() });
    } catch (error) {
      await pool.end().catch(() => {});
      throw new ServiceUnavailableError(
        'postgres',
        `DATABASE_URL: cannot prepare the job queues in Postgres at ${safeUrl(options.databaseUrl)} (${(error as Error).message}).`,
        { cause: error },
      );
    }
  }

  /**
   * Registers in the fleet and serves health, readiness, metrics, `routes`, and `fallback`
   * for any other path; returns the port.
   */
  async serve(
    routes: Record<string, RouteHandler> = {},
    fallback?: RouteHandler,
    /** More tokens that may read `/metrics` (the dashboard's); any one then is required. */
    metricsTokens: string[] = [],
  ): Promise<number> {
    const tokens = [
      ...metricsTokens,
      ...(this.options.metricsToken ? [this.options.metricsToken] : []),
    ];
    await this.instance.start();
    this.shutdown.add('instance', () => this.instance.stop());
    const health = new HealthServer({
      port: this.options.healthPort,
      ...(this.options.healthPortVariable && { portVariable: this.options.healthPortVariable }),
      ...(this.options.healthHost && { host: this.options.healthHost }),
      registry: this.metrics.registry,
      ...(tokens.length > 0 && { metricsAuth: bearerIn(tokens) }),
      onCheckFailed: (name, error) =>
        this.options.logger.warn({ err: error, check: name }, 'readiness check failed'),
      routes,
      ...(fallback && { fallback }),
      checks: {
        postgres: async () => {
          await sql`select 1`.execute(this.db);
        },
        [this.transport.kind === 'redis' ? 'redis' : 'queues']: () => this.transport.ping(),
        started: async () => {
          if (!this.#started) throw new Error('still starting');
        },
      },
    });
    let port: number;
    try {
      port = await health.start();
    } catch (error) {
      // Not serving: the fleet must not list this process as up (a taken port, say).
      await this.instance.stop().catch(() => {});
      throw error;
    }
    this.#health = health;
    this.shutdown.add('health', () => health.stop());
    return port;
  }

  /**
   * The role has started everything it runs (a gateway its channel, a worker its
   * consumers): only now does `/readyz` answer ready, so nothing is sent to a role that is
   * serving its health port but cannot take work yet.
   */
  markStarted(): void {
    this.#started = true;
  }

  /** SIGTERM/SIGINT stop the role within `shutdownTimeoutMs`, then the process exits. */
  installSignalHandlers(): void {
    this.shutdown.installSignalHandlers(this.options.shutdownTimeoutMs);
  }

  get healthServer(): HealthServer | null {
    return this.#health;
  }
}

/** 127.0.0.1 on a host; 0.0.0.0 in a container, where probes and peers come from outside. */
function defaultHealthHost(env: { KUBERNETES_SERVICE_HOST?: string | undefined }): string {
  return env.KUBERNETES_SERVICE_HOST || existsSync('/.dockerenv') ? '0.0.0.0' : '127.0.0.1';
}

/** Whether a request carries one of `tokens` as `Authorization: Bearer …` (constant time). */
function bearerIn(tokens: string[]): (req: IncomingMessage) => boolean {
  return (req) => {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
    const given = header.slice('Bearer '.length).trim();
    // Every token is compared, so the time says nothing about which one matched.
    return tokens.map((token) => timingSafeEqualText(given, token)).includes(true);
  };
}
