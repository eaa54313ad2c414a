/**
 * The database handle both runtimes share. libSQL (file, Turso) and D1 both speak SQLite through
 * drizzle; `batch` is the one atomic multi-statement write both support (D1 has no interactive
 * transactions), so every multi-row write in the API goes through it.
 */
import type { BatchItem } from 'drizzle-orm/batch';
import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import * as schema from '../db/schema';

export type Schema = typeof schema;
/** What LibSQLDatabase and DrizzleD1Database have in common. */
export type Database = BaseSQLiteDatabase<'async', unknown, Schema>;
export { schema };

/** Runs the statements atomically: all of them or none. */
export async function atomically(db: Database, statements: BatchItem<'sqlite'>[]): Promise<unknown[]> {
  if (statements.length === 0) return [];
  // One statement is atomic on its own; running it directly skips the batch round trip.
  if (statements.length === 1) return [await statements[0]];
  // Both drivers implement batch with the same signature; the union type hides it.
  return (db as unknown as LibSQLDatabase<Schema>).batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
}

/** True when the error is a UNIQUE constraint violation (libSQL and D1 word it the same way). */
export function isUniqueViolation(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const msg = String((e as { message?: unknown }).message ?? e);
    if (/UNIQUE constraint failed|SQLITE_CONSTRAINT_UNIQUE|SQLITE_CONSTRAINT_PRIMARYKEY/i.test(msg)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
