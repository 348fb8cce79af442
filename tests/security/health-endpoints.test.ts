/**
 * What a stranger learns from the ports GridBot opens: `/metrics` on the dashboard's port
 * needs the token, and `/readyz` with Postgres gone says which dependency is down, never the
 * error text (host names, ports, driver messages).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { type GridbotProcess, spawnGridbot, waitUntilReady } from '../support/gridbot-process.ts';
import { PrivatePostgres } from '../support/private-postgres.ts';
import { ON_REDIS } from '../support/test-mode.ts';
import { createTestRedis, type TestRedis } from '../support/test-redis.ts';
import { waitFor } from '../support/wait-for.ts';

const TOKEN = 'health-dashboard-token-0123456789';
let postgres: PrivatePostgres;
let redis: TestRedis;
let dashboard: GridbotProcess;
let port: number;

beforeAll(async () => {
  postgres = await PrivatePostgres.start();
  redis = createTestRedis();
  const databaseUrl = await postgres.migratedDatabase('gridbot');
  port = await freePort();
  dashboard = spawnGridbot(['dashboard'], {
    DATABASE_URL: databaseUrl,
    ...(ON_REDIS && { REDIS_URL: redis.url }),
    QUEUE_PREFIX: redis.prefix,
    DASHBOARD_PORT: String(port),
    DASHBOARD_TOKEN: TOKEN,
    DATA_DIR: `/tmp/gridbot-health-test-${process.pid}`,
  });
  await waitUntilReady(dashboard, port, 30_000);
}, 90_000);

afterAll(async () => {
  await dashboard?.stop();
  await Promise.allSettled([postgres?.destroy(), redis?.cleanup()]);
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${port}${path}`, { headers });

describe("the dashboard's port", () => {
  it('serves /metrics only with the token', async () => {
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(
      401,
    );
    const allowed = await get('/metrics', { authorization: `Bearer ${TOKEN}` });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('gridbot_');
  });

  it('names Postgres in /readyz while it is down, with no error text', async () => {
    await postgres.crash();
    const body = await waitFor('readyz to see Postgres down', async () => {
      const res = await get('/readyz');
      const text = await res.text();
      return res.status === 503 && text;
    });
    const ready = JSON.parse(body) as { status: string; checks: Record<string, string> };
    expect(ready.status).not.toBe('ready');
    expect(ready.checks.postgres).toBe('unavailable');
    for (const value of Object.values(ready.checks)) {
      expect(['ok', 'unavailable', 'starting']).toContain(value);
    }
    expect(body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect|terminat|error/i);
    // Liveness stays up: the process is fine and waits for Postgres.
    expect((await get('/healthz')).status).toBe(200);
  });
});
