/**
 * Deletes what is past its retention period, a bounded slice at a time: each statement deletes at
 * most PRUNE_SLICE rows found through an index, and a pass runs at most PRUNE_SLICES of them per
 * table, so upkeep never holds the database (D1 runs one query at a time) for long; the next pass
 * takes the rest.
 */
import { and, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { FINAL_TASK_STATES } from '../../core/protocol';
import { appMetrics, auditLog, revokedSessions, taskEvents, tasks } from '../../db/schema';
import type { Deps } from '../context';
import { FIVE_MINUTE_RETENTION_MS } from '../services/metrics';

export const PRUNE_SLICE = 500;
export const PRUNE_SLICES = 20;
const DAY = 24 * 3600 * 1000;

export interface PruneCounts {
  tasks: number;
  events: number;
  audit: number;
  sessions: number;
  metrics: number;
}

/** Runs `slice` (which deletes at most PRUNE_SLICE rows and says how many) until it finds fewer or the pass's budget ends. */
async function inSlices(slice: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < PRUNE_SLICES; i++) {
    const gone = await slice();
    total += gone;
    if (gone < PRUNE_SLICE) break;
  }
  return total;
}

export function pruneAudit(deps: Deps): Promise<number> {
  const cutoff = deps.now() - deps.config.auditRetentionDays * DAY;
  const oldest = deps.db.select({ id: auditLog.id }).from(auditLog).where(lt(auditLog.at, cutoff)).limit(PRUNE_SLICE);
  return inSlices(async () => (await deps.db.delete(auditLog).where(inArray(auditLog.id, oldest)).returning({ id: auditLog.id })).length);
}

/** Revocations of sessions whose token has expired anyway. */
export function pruneRevokedSessions(deps: Deps): Promise<number> {
  const expired = deps.db.select({ jti: revokedSessions.jti }).from(revokedSessions).where(lt(revokedSessions.expiresAt, deps.now())).limit(PRUNE_SLICE);
  return inSlices(
    async () => (await deps.db.delete(revokedSessions).where(inArray(revokedSessions.jti, expired)).returning({ jti: revokedSessions.jti })).length,
  );
}

/** Finished tasks past the retention period, each with its events (events first, so none is orphaned). */
export async function pruneTasks(deps: Deps): Promise<{ tasks: number; events: number }> {
  const cutoff = deps.now() - deps.config.taskRetentionDays * DAY;
  let events = 0;
  const count = await inSlices(async () => {
    const ids = (
      await deps.db
        .select({ id: tasks.id })
        .from(tasks)
        .where(and(inArray(tasks.state, [...FINAL_TASK_STATES]), lt(tasks.finishedAt, cutoff)))
        .limit(PRUNE_SLICE)
    ).map((r) => r.id);
    if (ids.length === 0) return 0;
    let last = 0;
    events += await inSlices(async () => {
      const slice = sql`rowid IN (SELECT rowid FROM task_events WHERE ${inArray(taskEvents.taskId, ids)} LIMIT ${PRUNE_SLICE})`;
      last = (await deps.db.delete(taskEvents).where(slice).returning({ seq: taskEvents.seq })).length;
      return last;
    });
    // Events left over (the pass's budget ran out): the tasks go on a later pass, after their events.
    if (last === PRUNE_SLICE) return 0;
    return (await deps.db.delete(tasks).where(inArray(tasks.id, ids)).returning({ id: tasks.id })).length;
  });
  return { tasks: count, events };
}

/** 5-minute rows past 48 hours and hourly rows past the retention period. */
export async function pruneMetrics(deps: Deps): Promise<number> {
  const now = deps.now();
  const older = (resolution: '5m' | '1h', cutoff: number): SQL =>
    sql`rowid IN (SELECT rowid FROM app_metrics WHERE resolution = ${resolution} AND bucket_start < ${cutoff} LIMIT ${PRUNE_SLICE})`;
  const slice = (where: SQL) => async () => (await deps.db.delete(appMetrics).where(where).returning({ at: appMetrics.bucketStart })).length;
  return (
    (await inSlices(slice(older('5m', now - FIVE_MINUTE_RETENTION_MS)))) + (await inSlices(slice(older('1h', now - deps.config.metricsRetentionDays * DAY))))
  );
}

export async function pruneAll(deps: Deps): Promise<PruneCounts> {
  const { tasks: taskCount, events } = await pruneTasks(deps);
  return { tasks: taskCount, events, audit: await pruneAudit(deps), sessions: await pruneRevokedSessions(deps), metrics: await pruneMetrics(deps) };
}
