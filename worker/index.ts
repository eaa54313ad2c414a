/**
 * The Workers entry. The database is a D1 binding named DB, or Turso/libSQL over HTTP
 * (LIBSQL_URL + LIBSQL_AUTH_TOKEN secrets, through @libsql/client/web). Migrations are applied out
 * of band (`wrangler d1 migrations apply`, or drizzle-kit for Turso).
 *
 * Long-poll: isolates share no memory, so a waiting poll re-checks the database every
 * POLL_RECHECK_MS (default 2 s) in addition to in-isolate wake-ups.
 */
import { createClient } from '@libsql/client/web';
import { drizzle as drizzleD1 } from 'drizzle-orm/d1';
import { drizzle as drizzleLibsql } from 'drizzle-orm/libsql/web';
import type { JWK } from 'jose';
import * as schema from '../db/schema';
import { seedAdmin } from '../db/seed';
import { createApp } from './app';
import type { Deps } from './context';
import type { Database } from './db';
import { buildDeps } from './deps';
import { registerSigningKey } from './services/signer';

export interface Env {
  DB?: D1Database;
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
  JWT_SECRET: string;
  CATALOG_SIGNING_KEY: string;
  /** Set for the first start after a rotation: the old key endorses the new one. */
  CATALOG_SIGNING_KEY_PREVIOUS?: string;
  ADMIN_EMAIL?: string;
  ADMIN_PASSWORD?: string;
  POLL_RECHECK_MS?: string;
}

let cached: Promise<Deps> | null = null;

async function depsFor(env: Env): Promise<Deps> {
  if (!env.JWT_SECRET || !env.CATALOG_SIGNING_KEY) throw new Error('JWT_SECRET and CATALOG_SIGNING_KEY secrets must be set');
  const db = (
    env.DB
      ? drizzleD1(env.DB, { schema })
      : env.LIBSQL_URL
        ? drizzleLibsql(createClient({ url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN }), { schema })
        : null
  ) as unknown as Database | null;
  if (!db) throw new Error('configure a D1 binding named DB, or LIBSQL_URL and LIBSQL_AUTH_TOKEN');
  const deps = buildDeps({
    db,
    jwtSecret: env.JWT_SECRET,
    signingKey: JSON.parse(env.CATALOG_SIGNING_KEY) as JWK,
    previousSigningKey: env.CATALOG_SIGNING_KEY_PREVIOUS ? (JSON.parse(env.CATALOG_SIGNING_KEY_PREVIOUS) as JWK) : undefined,
    config: { pollRecheckMs: Number(env.POLL_RECHECK_MS ?? 2000), secureCookies: true, clientAddressSource: 'cf-connecting-ip' },
  });
  await registerSigningKey(db, deps.signer, deps.stamp());
  // Idempotent: creates the admin only while there are no users; a generated password is never shown
  // at the edge, so ADMIN_PASSWORD must be set there.
  if (env.ADMIN_EMAIL && env.ADMIN_PASSWORD) await seedAdmin(deps, { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD });
  return deps;
}

const app = createApp((c) => {
  // One Deps per isolate; a failed start is retried on the next request.
  cached ??= depsFor(c.env as Env).catch((err) => {
    cached = null;
    throw err;
  });
  return cached;
});

export default app;
