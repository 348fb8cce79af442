/** Where the shared test services are; CI and developers start them before the tests. */
export const TEST_PG_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEMPLATE_DB = 'gridbot_test_template';
export const TEST_DB_PREFIX = 'gridbot_t_';

/** The URL of another database on the same server. */
export function databaseUrl(name: string): string {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
/** The agent image the tests build (with the fixture agents under /opt/fixtures). */
export const TEST_AGENT_IMAGE = 'gridbot-agent:test';
