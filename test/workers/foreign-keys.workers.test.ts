/**
 * Migration 0010 on D1, inside workerd: D1 enforces foreign keys during a migration, so the table
 * rebuilds must keep every link whole. A database holding rows (orphans among them) migrates from
 * 0009 to 0010, and afterwards refuses a row that names nothing.
 */
import { applyD1Migrations, env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AFTER_FOREIGN_KEYS,
  BEFORE_FOREIGN_KEYS,
  BEFORE_SKIP_VERSION_KEY,
  DANGLING_INSERTS,
  ROWS_BEFORE_FOREIGN_KEYS,
  ROWS_BEFORE_SKIP_VERSION_KEY,
} from '../helpers/foreign-keys-fixture';

const bindings = env as unknown as { FK_DB: D1Database; TEST_MIGRATIONS: { name: string; queries: string[] }[] };
const db = bindings.FK_DB;

describe('migrations 0010 and 0012 (foreign keys) on D1', () => {
  beforeAll(async () => {
    const before = bindings.TEST_MIGRATIONS.filter((m) => m.name < BEFORE_FOREIGN_KEYS);
    expect(before.length).toBeLessThan(bindings.TEST_MIGRATIONS.length);
    await applyD1Migrations(db, before);
    for (const statement of ROWS_BEFORE_FOREIGN_KEYS) await db.prepare(statement).run();
    await applyD1Migrations(
      db,
      bindings.TEST_MIGRATIONS.filter((m) => m.name < BEFORE_SKIP_VERSION_KEY),
    );
    for (const statement of ROWS_BEFORE_SKIP_VERSION_KEY) await db.prepare(statement).run();
    await applyD1Migrations(db, bindings.TEST_MIGRATIONS);
  });

  it('clears the orphans and keeps every row that names a live one', async () => {
    for (const [query, expected] of Object.entries(AFTER_FOREIGN_KEYS)) {
      const row = await db.prepare(query).first<{ n: number }>();
      expect(String(row?.n), query).toBe(expected);
    }
    expect((await db.prepare('PRAGMA foreign_key_check').all()).results).toEqual([]);
  });

  it('refuses a row that names nothing', async () => {
    for (const statement of DANGLING_INSERTS) await expect(db.prepare(statement).run(), statement).rejects.toThrow(/FOREIGN KEY constraint failed/);
  });
});
