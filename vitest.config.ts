import { defineConfig } from 'vitest/config';

/** Suites of the embedded mode alone (a `gridbot start` with no server). */
const EMBEDDED_ONLY = [
  'tests/embedded.test.ts',
  'tests/bad-input/embedded.test.ts',
  'tests/agent-image-first-use.test.ts',
];
/** Suites that run in every mode, the embedded one too: one process, talked to as an operator. */
const EMBEDDED_CAPABLE = ['tests/start-all.test.ts', 'tests/tracing-start.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: [
            'packages/*/src/**/*.test.ts',
            'apps/*/src/**/*.test.ts',
            'tests/structure/*.test.ts',
          ],
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
          exclude: [...EMBEDDED_ONLY, 'tests/structure/**', '**/node_modules/**'],
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
          // Not mode-bound: the chaos report's arithmetic, Redis outages (Redis mode only), and
          // the deployment files.
          exclude: [
            'tests/chaos/chaos-report.test.ts',
            'tests/redis-outage.test.ts',
            // The deployment files and image, the same in every mode.
            'tests/deploy/**',
            'tests/structure/**',
            ...EMBEDDED_ONLY,
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
      {
        // The single-process suites once more, on the embedded database: no server at all.
        test: {
          name: 'e2e-embedded',
          sequence: { groupOrder: 3 },
          include: [...EMBEDDED_CAPABLE, ...EMBEDDED_ONLY],
          env: { GRIDBOT_TEST_MODE: 'embedded' },
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
