/**
 * What "nothing was written" means in the security suites: the same number of rows in every table,
 * and no row inserted, updated or deleted in between (SQLite's total_changes() on the plane's one
 * in-memory connection), optionally with a hash of every row's content as well.
 */
import { createHash } from 'node:crypto';
import type { TestPlane } from '../helpers/plane';

export interface DbState {
  /** Rows per table. */
  counts: Record<string, number>;
  /** Rows inserted, updated or deleted on the connection since it opened. */
  changes: number;
  /** sha256 over every row of every table (only when asked for). */
  digest?: string;
}

const prepared = new WeakMap<TestPlane, { tables: string[]; countsSql: string; rowsSql: string[] }>();

async function queries(plane: TestPlane) {
  let q = prepared.get(plane);
  if (!q) {
    const db = plane.deps.db;
    const tables = (
      await db.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name` as never)
    ).map((t) => t.name);
    const countsSql = `SELECT total_changes() AS "#changes", ${tables.map((t) => `(SELECT count(*) FROM "${t}") AS "${t}"`).join(', ')}`;
    const rowsSql: string[] = [];
    for (const t of tables) {
      const cols = await db.all<{ name: string }>(`SELECT name FROM pragma_table_info('${t}')` as never);
      // SQLite quotes and joins every value itself: one string per table.
      rowsSql.push(`SELECT coalesce(group_concat(${cols.map((c) => `quote("${c.name}")`).join(" || ',' || ")}, '|'), '') AS v FROM "${t}"`);
    }
    q = { tables, countsSql, rowsSql };
    prepared.set(plane, q);
  }
  return q;
}

export async function dbState(plane: TestPlane, opts: { digest?: boolean } = {}): Promise<DbState> {
  const q = await queries(plane);
  const db = plane.deps.db;
  const [row] = await db.all<Record<string, number>>(q.countsSql as never);
  const counts: Record<string, number> = {};
  for (const t of q.tables) counts[t] = Number(row[t]);
  const state: DbState = { counts, changes: Number(row['#changes']) };
  if (opts.digest) {
    const h = createHash('sha256');
    for (const [i, sql] of q.rowsSql.entries())
      h.update(q.tables[i])
        .update('\0')
        .update(String((await db.all<{ v: string }>(sql as never))[0].v));
    state.digest = h.digest('hex');
  }
  return state;
}

/** What differs between two states, in words; empty when nothing was written. */
export function writesBetween(before: DbState, after: DbState): string[] {
  const out: string[] = [];
  for (const [t, n] of Object.entries(after.counts)) if (before.counts[t] !== n) out.push(`${t}: ${before.counts[t]} -> ${n} rows`);
  if (after.changes !== before.changes) out.push(`${after.changes - before.changes} row(s) inserted, updated or deleted`);
  if (before.digest !== undefined && after.digest !== undefined && before.digest !== after.digest) out.push('row contents changed');
  return out;
}

/** What differs beyond one new audit_log row (a refusal that is itself recorded, such as a failed sign-in). */
export function writesBesidesOneAuditRow(before: DbState, after: DbState): string[] {
  const out: string[] = [];
  for (const [t, n] of Object.entries(after.counts)) {
    const expected = t === 'audit_log' ? before.counts[t] + 1 : before.counts[t];
    if (n !== expected) out.push(`${t}: ${before.counts[t]} -> ${n} rows${t === 'audit_log' ? ' (expected exactly one audit row)' : ''}`);
  }
  if (after.changes - before.changes !== 1) out.push(`${after.changes - before.changes} row(s) inserted, updated or deleted (expected the one audit row)`);
  return out;
}
