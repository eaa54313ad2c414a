/**
 * Deletes what is past its retention period, a bounded slice at a time: each statement deletes at
 * most PRUNE_SLICE rows found through an index, and a pass runs at most PRUNE_SLICES of them per
 * table, so upkeep never holds the database (D1 runs one query at a time) for long; the next pass
 * takes the rest.
 */
import { and, eq, inArray, lt, notExists, sql, type SQL } from 'drizzle-orm';
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

/**
 * Finished tasks past the retention period, each after its events (so none is orphaned). Every
 * statement picks its rows by a subquery, never by a list of ids (D1 binds at most 100 parameters).
 */
export async function pruneTasks(deps: Deps): Promise<{ tasks: number; events: number }> {
  const past = and(inArray(tasks.state, [...FINAL_TASK_STATES]), lt(tasks.finishedAt, deps.now() - deps.config.taskRetentionDays * DAY));
  const doomed = deps.db.select({ id: tasks.id }).from(tasks).where(past).limit(PRUNE_SLICE);
  const withoutEvents = notExists(deps.db.select({ one: sql`1` }).from(taskEvents).where(eq(taskEvents.taskId, tasks.id)));
  const bare = deps.db.select({ id: tasks.id }).from(tasks).where(and(past, withoutEvents)).limit(PRUNE_SLICE);
  const eventSlice = sql`rowid IN (SELECT rowid FROM task_events WHERE ${inArray(taskEvents.taskId, doomed)} LIMIT ${PRUNE_SLICE})`;
  const out = { tasks: 0, events: 0 };
  for (let i = 0; i < PRUNE_SLICES; i++) {
    const events = (await deps.db.delete(taskEvents).where(eventSlice).returning({ seq: taskEvents.seq })).length;
    out.events += events;
    if (events === PRUNE_SLICE) continue; // these tasks have more events yet
    const gone = (await deps.db.delete(tasks).where(inArray(tasks.id, bare)).returning({ id: tasks.id })).length;
    out.tasks += gone;
    if (events === 0 && gone < PRUNE_SLICE) break;
  }
  return out;
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
  return {
    ...(await pruneTasks(deps)),
    audit: await pruneAudit(deps),
    sessions: await pruneRevokedSessions(deps),
    metrics: await pruneMetrics(deps),
  };
}
