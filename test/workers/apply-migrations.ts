import { applyD1Migrations, env } from 'cloudflare:test';

// Each test file starts from the committed migrations (applyD1Migrations skips applied ones).
await applyD1Migrations((env as any).DB, (env as any).TEST_MIGRATIONS);
