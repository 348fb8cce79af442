/**
 * An in-process dashboard on a test database and Redis prefix of its own, for the
 * dashboard's integration tests (not exported from the package).
 */
import { RoleRuntime } from '@gridbot/service';
import { captureLogger } from '../../../../tests/support/fake-bot-api.ts';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/test-database.ts';
import { createTestRedis, type TestRedis } from '../../../../tests/support/test-redis.ts';
import { type AttachedDashboard, attachDashboard } from '../attach-dashboard.ts';
import { parseDashboardEnv } from '../env.ts';

export const TEST_DASHBOARD_TOKEN = 'test-dashboard-token-0123456789';

export interface TestDashboard {
  runtime: RoleRuntime;
  dashboard: AttachedDashboard;
  database: TestDatabase;
  redis: TestRedis;
  /** A request with the Bearer token. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** A POST with the Bearer token and no body. */
  post(path: string): Promise<Response>;
  /** Inserts a thread (a registered group unless `fields` say otherwise); returns its id. */
  seedThread(jid: string, fields?: SeedThreadFields): Promise<number>;
  /** A request with no credentials at all. */
  anonymous(path: string, init?: RequestInit): Promise<Response>;
  /** Logs in like a browser; returns the cookies and the CSRF token. */
  login(): Promise<{ cookie: string; csrf: string }>;
  close(): Promise<void>;
}

export interface SeedThreadFields {
  title?: string | null;
  isGroup?: boolean;
  registered?: boolean;
  config?: Record<string, unknown>;
  lastActivity?: Date;
}

export async function openTestDashboard(): Promise<TestDashboard> {
  const [database, redis] = [await createTestDatabase(), createTestRedis()];
  const env = parseDashboardEnv({
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    DASHBOARD_TOKEN: TEST_DASHBOARD_TOKEN,
    DASHBOARD_PORT: '0',
  });
  const { logger } = captureLogger();
  const runtime = await RoleRuntime.fromEnv(
    'dashboard',
    { ...env, HEALTH_PORT: 0 },
    { version: 'test', gitSha: null },
    logger,
    () => [],
  );
  const dashboard = await attachDashboard(runtime, env, logger, {
    token: TEST_DASHBOARD_TOKEN,
    source: 'environment',
    path: null,
  });
  await dashboard.start();
  const request = (path: string, init?: RequestInit) =>
    Promise.resolve(dashboard.app.request(`http://dashboard.test${path}`, init));
  const api = (path: string, init: RequestInit = {}) =>
    request(path, {
      ...init,
      headers: { authorization: `Bearer ${TEST_DASHBOARD_TOKEN}`, ...init.headers },
    });
  return {
    runtime,
    dashboard,
    database,
    redis,
    api,
    post: (path) => api(path, { method: 'POST' }),
    async seedThread(jid, fields = {}) {
      const [channel, chatId] = jid.split(':') as [string, string];
      const row = await database.db
        .insertInto('threads')
        .values({
          jid,
          channel,
          platform_chat_id: chatId,
          title: fields.title ?? null,
          is_group: fields.isGroup ?? true,
          registered: fields.registered ?? true,
          config: JSON.stringify(fields.config ?? {}),
          last_activity: fields.lastActivity ?? new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    anonymous: request,
    async login() {
      const response = await request('/login', {
        method: 'POST',
        body: new URLSearchParams({ token: TEST_DASHBOARD_TOKEN, next: '/' }),
      });
      const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0]!);
      const csrf = cookies.find((c) => c.startsWith('XSRF-TOKEN='))!.slice('XSRF-TOKEN='.length);
      return { cookie: cookies.join('; '), csrf };
    },
    async close() {
      await runtime.shutdown.stop(10_000);
      await Promise.allSettled([database.drop(), redis.cleanup()]);
    },
  };
}
