/**
 * The deployment mode the end-to-end suites run in this time: the test command runs them
 * once per mode (a Vitest project each, see vitest.config.ts), so the modes cannot drift
 * apart. A case that only one mode has (Redis losing its data) runs in that mode alone.
 */
export type TestMode = 'redis' | 'postgres-only';

export const TEST_MODE: TestMode =
  process.env.GRIDBOT_TEST_MODE === 'postgres-only' ? 'postgres-only' : 'redis';

/** Whether the roles under test use Redis (false: queues and pub/sub in Postgres). */
export const ON_REDIS = TEST_MODE === 'redis';
