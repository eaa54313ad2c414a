/** The Workers database: the D1 binding DB, or Turso/libSQL over HTTP (LIBSQL_URL + LIBSQL_AUTH_TOKEN). */
import { drizzle as drizzleD1 } from 'drizzle-orm/d1';
import * as schema from '../../db/schema';
import type { Database } from '../db';

/** D1, or libSQL over HTTP: its client is loaded only by a deployment that sets LIBSQL_URL. */
export async function openDatabase(env: { DB?: D1Database; LIBSQL_URL?: string; LIBSQL_AUTH_TOKEN?: string }): Promise<Database> {
  if (env.DB) return drizzleD1(env.DB, { schema }) as unknown as Database;
  const [{ createClient }, { drizzle }] = await Promise.all([import('@libsql/client/web'), import('drizzle-orm/libsql/web')]);
  return drizzle(createClient({ url: env.LIBSQL_URL!, authToken: env.LIBSQL_AUTH_TOKEN }), { schema }) as unknown as Database;
}
