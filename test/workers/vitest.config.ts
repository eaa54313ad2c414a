/**
 * The `workers` project: the same Hono app, run inside workerd by @cloudflare/vitest-pool-workers,
 * against a D1 database migrated from the committed drizzle migrations.
 */
import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineProject } from 'vitest/config';

const root = fileURLToPath(new URL('../..', import.meta.url));

// A throwaway P-256 key for the test run only (never a deployment secret).
const TEST_SIGNING_KEY = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI',
  kid: 'workers-test',
  alg: 'ES256',
};

export default defineProject(async () => ({
  plugins: [
    cloudflareTest({
      main: `${root}worker/index.ts`,
      wrangler: { configPath: `${root}wrangler.toml` },
      miniflare: {
        // EMPTY_DB is never migrated: a deployment that skipped the migrations.
        // FK_DB is migrated by its test in two steps, with rows written between them.
        d1Databases: ['DB', 'EMPTY_DB', 'FK_DB'],
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(`${root}db/migrations`),
          JWT_SECRET: 'workers-test-secret-workers-test-secret',
          CATALOG_SIGNING_KEY: JSON.stringify(TEST_SIGNING_KEY),
          ADMIN_EMAIL: 'admin@example.com',
          ADMIN_PASSWORD: 'admin-password-1',
          POLL_RECHECK_MS: '200',
        },
      },
    }),
  ],
  test: {
    name: 'workers',
    include: [`${root}test/workers/**/*.test.ts`],
    setupFiles: [`${root}test/workers/apply-migrations.ts`],
  },
}));
