import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: [
            'packages/*/src/**/*.int.test.ts',
            'apps/*/src/**/*.int.test.ts',
            'tests/**/*.test.ts',
            'bench/**/*.test.ts',
          ],
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
      {
        // The end-to-end suites again, with the roles in the Postgres-only mode.
        test: {
          name: 'e2e-postgres-only',
          sequence: { groupOrder: 2 },
          include: ['tests/**/*.test.ts'],
          // Not mode-bound: the chaos report's arithmetic, and Redis outages (Redis mode only).
          exclude: [
            'tests/chaos/chaos-report.test.ts',
            'tests/redis-outage.test.ts',
            '**/node_modules/**',
          ],
          env: { GRIDBOT_TEST_MODE: 'postgres-only' },
          globalSetup: ['tests/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
