/** The Workers database: the D1 binding DB, or Turso/libSQL over HTTP (LIBSQL_URL + LIBSQL_AUTH_TOKEN). */
import { createClient } from '@libsql/client/web';
import { drizzle as drizzleD1 } from 'drizzle-orm/d1';
import { drizzle as drizzleLibsql } from 'drizzle-orm/libsql/web';
import * as schema from '../../db/schema';
import type { Database } from '../db';

export function openDatabase(env: { DB?: D1Database; LIBSQL_URL?: string; LIBSQL_AUTH_TOKEN?: string }): Database {
  const db = env.DB ? drizzleD1(env.DB, { schema }) : drizzleLibsql(createClient({ url: env.LIBSQL_URL!, authToken: env.LIBSQL_AUTH_TOKEN }), { schema });
  return db as unknown as Database;
}
