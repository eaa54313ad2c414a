import { defineConfig } from 'vitest/config';

// Projects by what they need: `unit` and `api` run anywhere in seconds; `integration` and `e2e` drive
// the real Docker, Compose and Apache testbed (test/testbed); `browser` drives Debian's Chromium;
// `workers` runs the same Hono app inside workerd (test/workers/vitest.config.ts).
export default defineConfig({
  test: {
    projects: [
      'test/workers/vitest.config.ts',
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/api/**/*.test.ts', 'test/security/**/*.test.ts'],
          environment: 'node',
          // API tests sign in with real PBKDF2 hashes: on a busy 2-core machine one can pass 5 s.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/faults/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
