/** Where the shared test services are; CI and developers start them before the tests. */
export const TEST_PG_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * The test run's id (the vitest main process's pid, set by the global setup): databases of
 * concurrent runs on one server never collide, and only dead runs' leftovers are dropped.
 */
export const TEST_RUN = process.env.GRIDBOT_TEST_RUN ?? String(process.pid);
/** Prefix shared by every test database of every run. */
export const ANY_TEST_DB = 'gridbot_t_';
export const TEMPLATE_DB = `${ANY_TEST_DB}${TEST_RUN}_template`;
export const TEST_DB_PREFIX = `${ANY_TEST_DB}${TEST_RUN}_`;

/** The URL of another database on the same server. */
export function databaseUrl(name: string): string {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
/**
 * The agent image the tests build (with the fixture agents under /opt/fixtures).
 * `GRIDBOT_TEST_AGENT_IMAGE` gives checkouts that test side by side on one Docker engine a
 * tag each.
 */
export const TEST_AGENT_IMAGE = process.env.GRIDBOT_TEST_AGENT_IMAGE || 'gridbot-agent:test';
