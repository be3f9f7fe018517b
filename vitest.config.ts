import { defineConfig } from 'vitest/config';

/**
 * Three projects (DESIGN §7):
 * - unit: pure code and the embedded adapters, no network beyond loopback servers the test starts itself;
 * - integration: real Kafka, Elasticsearch, PostgreSQL and Alertmanager, started once per run by the
 *   global setup (or taken from FAULTLINE_* URLs when set);
 * - e2e: the console in Debian's chromium through playwright-core.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'test/e2e/**', 'node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          exclude: ['test/e2e/**', 'node_modules/**'],
          globalSetup: ['test/setup/integration.global.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          pool: 'forks',
          // Two cores and four servers: one test file at a time keeps timings honest and memory flat.
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
