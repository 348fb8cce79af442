/**
 * The deployment mode the end-to-end suites run in this time: the test command runs them
 * once per mode (a Vitest project each, see vitest.config.ts), so the modes cannot drift
 * apart. A case that only one mode has (Redis losing its data) runs in that mode alone.
 */
export type TestMode = 'redis' | 'postgres-only' | 'embedded';

export const TEST_MODE: TestMode =
  process.env.GRIDBOT_TEST_MODE === 'postgres-only' || process.env.GRIDBOT_TEST_MODE === 'embedded'
    ? process.env.GRIDBOT_TEST_MODE
    : 'redis';

/**
 * Whether the roles under test use Redis (false: queues and pub/sub in Postgres, or in the
 * embedded database of `gridbot start`, where the harness sets neither URL).
 */
export const ON_REDIS = TEST_MODE === 'redis';

/** The embedded mode: one `gridbot start` on its own DATA_DIR, no server (single-process suites). */
export const EMBEDDED = TEST_MODE === 'embedded';
