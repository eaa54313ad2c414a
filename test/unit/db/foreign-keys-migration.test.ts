/**
 * Migrations 0010 and 0012 on libSQL (the Node entry's migrator): a database holding rows, orphans among them,
 * migrates from 0009 through 0012; the orphans are cleared, every other row keeps its links, and afterwards
 * the database refuses a row that names nothing.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, migrateLibsql } from '../../../db/migrate';
import {
  AFTER_FOREIGN_KEYS,
  BEFORE_FOREIGN_KEYS,
  BEFORE_SKIP_VERSION_KEY,
  DANGLING_INSERTS,
  ROWS_BEFORE_FOREIGN_KEYS,
  ROWS_BEFORE_SKIP_VERSION_KEY,
} from '../../helpers/foreign-keys-fixture';

interface Journal {
  entries: { tag: string }[];
}

/** A copy of the migrations that stops just before `tag`. */
async function migrationsBefore(dir: string, tag: string): Promise<string> {
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  const path = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(path, 'utf8')) as Journal;
  const at = journal.entries.findIndex((e) => e.tag === tag);
  expect(at).toBeGreaterThan(0);
  await writeFile(path, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  return dir;
}

describe('migrations 0010 and 0012 (foreign keys) on libSQL', () => {
  let dir: string;
  let client: Client;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fk-migration-'));
    client = createClient({ url: `file:${join(dir, 'plane.db')}` });
    await client.execute('PRAGMA foreign_keys = ON');
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: await migrationsBefore(join(dir, 'migrations'), BEFORE_FOREIGN_KEYS) });
    for (const statement of ROWS_BEFORE_FOREIGN_KEYS) await client.execute(statement);
    await migrate(db, { migrationsFolder: await migrationsBefore(join(dir, 'migrations-0012'), BEFORE_SKIP_VERSION_KEY) });
    for (const statement of ROWS_BEFORE_SKIP_VERSION_KEY) await client.execute(statement);
    await migrateLibsql(db);
  });

  afterAll(async () => {
    client.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('clears the orphans and keeps every row that names a live one', async () => {
    for (const [query, expected] of Object.entries(AFTER_FOREIGN_KEYS)) {
      const row = (await client.execute(query)).rows[0];
      expect(String(row?.n), query).toBe(expected);
    }
    expect((await client.execute('PRAGMA foreign_key_check')).rows).toEqual([]);
  });

  it('refuses a row that names nothing', async () => {
    expect((await client.execute('PRAGMA foreign_keys')).rows[0]?.foreign_keys).toBe(1);
    for (const statement of DANGLING_INSERTS) await expect(client.execute(statement), statement).rejects.toThrow(/FOREIGN KEY constraint failed/);
  });
});
