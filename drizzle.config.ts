import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes SQL migrations from db/schema.ts; they are committed and applied by the
// Node entry on start, by wrangler (D1: `wrangler d1 migrations apply`) and by the workerd tests.
export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema.ts',
  out: './db/migrations',
});
