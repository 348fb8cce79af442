import { rm } from 'node:fs/promises';
import {
  createBullmqPool,
  PostgresTransport,
  type QueueTransport,
  RedisTransport,
} from '@gridbot/queue';
import { freePort } from './free-port.ts';
import {
  type GridbotProcess,
  runGridbot,
  spawnGridbot,
  waitUntilReady,
} from './gridbot-process.ts';
import { TEST_AGENT_IMAGE } from './services.ts';
import { BOT_TOKEN, TelegramFake } from './telegram-fake.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';
import { EMBEDDED, ON_REDIS, TEST_MODE } from './test-mode.ts';
import { createTestRedis, type TestRedis } from './test-redis.ts';

/** The dashboard token of every role the harness starts. */
export const HARNESS_DASHBOARD_TOKEN = 'harness-dashboard-token-0123456789';

/**
 * Everything an end-to-end test needs: its own database and Redis prefix, a fake Telegram,
 * and helpers to start real `gridbot` processes against them, in the suite's mode (no
 * `REDIS_URL` in the Postgres-only mode; neither URL in the embedded mode, where `gridbot
 * start` owns the database in its DATA_DIR and `db` is not the roles'). `close()` stops it all.
 */
export class PipelineHarness {
  readonly db: TestDatabase;
  readonly redis: TestRedis;
  readonly telegram: TelegramFake;
  readonly #processes: GridbotProcess[] = [];
  readonly #transports: QueueTransport[] = [];

  private constructor(db: TestDatabase, redis: TestRedis, telegram: TelegramFake) {
    this.db = db;
    this.redis = redis;
    this.telegram = telegram;
  }

  static async create(): Promise<PipelineHarness> {
    const [db, telegram] = await Promise.all([createTestDatabase(), TelegramFake.start()]);
    return new PipelineHarness(db, createTestRedis(), telegram);
  }

  /** The environment every role gets; `extra` overrides. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(!EMBEDDED && { DATABASE_URL: this.db.url }),
      ...(ON_REDIS && { REDIS_URL: this.redis.url }),
      QUEUE_PREFIX: this.redis.prefix,
      LOG_LEVEL: 'info',
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_ROOT: this.telegram.apiRoot,
      TELEGRAM_POLL_IDLE_MS: '50',
      // Pipeline suites run agents as processes (fast); the container suites set docker.
      AGENT_RUNTIME: 'process',
      AGENT_IMAGE: TEST_AGENT_IMAGE,
      HEARTBEAT_MS: '1000',
      WORKSPACE_DIR: `/tmp/gridbot-test-workspaces/${this.db.name}`,
      DATA_DIR: `/tmp/gridbot-test-data/${this.db.name}`,
      DASHBOARD_TOKEN: HARNESS_DASHBOARD_TOKEN,
      ...extra,
    };
  }

  /** Starts `gridbot <args>` and waits until it is ready. */
  async start(args: string[], extra: Record<string, string> = {}): Promise<GridbotProcess> {
    const port = extra.HEALTH_PORT ? Number(extra.HEALTH_PORT) : await freePort();
    const proc = spawnGridbot(
      args,
      this.env({ ...extra, HEALTH_PORT: String(port), DASHBOARD_PORT: String(port) }),
    );
    this.#processes.push(proc);
    await waitUntilReady(proc, port);
    // The matrix is only worth something if each role really runs in the suite's mode.
    const mode = /"mode":"([a-z-]+)"/.exec(proc.output())?.[1];
    if (mode && mode !== TEST_MODE)
      throw new Error(`gridbot ${args.join(' ')} runs in the ${mode} mode, not ${TEST_MODE}`);
    return proc;
  }

  /** The queues and pub/sub the roles use, opened from the test (closed by `close()`). */
  async transport(): Promise<QueueTransport> {
    const transport = ON_REDIS
      ? new RedisTransport({
          url: this.redis.url,
          prefix: this.redis.prefix,
          connectionName: 'test',
        })
      : await PostgresTransport.open({
          pool: createBullmqPool({ connectionString: this.db.url, applicationName: 'test' }),
          ownsPool: true,
        });
    this.#transports.push(transport);
    return transport;
  }

  /** Runs a one-shot CLI command against this harness's database. */
  cli(args: string[], extra: Record<string, string> = {}) {
    return runGridbot(args, this.env(extra));
  }

  /** An approval's status as stored, or undefined when there is no such approval. */
  async approvalStatus(id: number): Promise<string | undefined> {
    const row = await this.db.db
      .selectFrom('approvals')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.status;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#processes.map((p) => p.stop()));
    await Promise.allSettled(this.#transports.map((t) => t.close()));
    await Promise.allSettled([
      this.db.drop(),
      this.redis.cleanup(),
      this.telegram.stop(),
      rm(this.env().DATA_DIR!, { recursive: true, force: true }),
    ]);
  }
}
