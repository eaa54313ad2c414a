/**
 * One upkeep pass, the same on both runtimes (Workers: scheduled() on the cron trigger in
 * wrangler.toml; Node: a timer, jobs/upkeep-timer.ts). It gives up on work held by HDAs that went
 * offline, then deletes what is past its retention period; every step is bounded (jobs/prune.ts), so
 * a pass never holds the database long and the next one takes what is left.
 */
import { and, eq, lt } from 'drizzle-orm';
import { hdas, tasks } from '../../db/schema';
import type { Deps } from '../context';
import { failItemsOfflineSince } from '../services/batches';
import { notSeenSince } from '../services/presence';
import { failTaskBySystem } from '../services/reports';
import { PRUNE_SLICE, pruneAll, type PruneCounts } from './prune';

const MINUTE = 60_000;

export interface UpkeepReport extends PruneCounts {
  /** Tasks failed because their HDA went offline holding them. */
  leasesExpired: number;
  /** Batch items failed because their HDA stayed offline past the start deadline. */
  batchItemsExpired: number;
}

/**
 * Claimed tasks whose lease ran out more than the grace ago while their HDA has not been seen for as
 * long: failed with the reason (the agent, if it comes back, gets a 409 for a late result).
 */
export async function expireOfflineLeases(deps: Deps): Promise<number> {
  const graceMs = deps.config.offlineTaskGraceMinutes * MINUTE;
  const before = deps.now() - graceMs;
  const stale = await deps.db
    .select({ task: tasks, lastSeenAt: hdas.lastSeenAt })
    .from(tasks)
    .innerJoin(hdas, eq(hdas.id, tasks.hdaId))
    .where(and(eq(tasks.state, 'claimed'), lt(tasks.leaseUntil, before), notSeenSince(deps, before)))
    .limit(PRUNE_SLICE);
  let failed = 0;
  for (const { task, lastSeenAt } of stale) {
    const seen = lastSeenAt ? `last seen ${new Date(lastSeenAt).toISOString()}` : 'never seen';
    const detail = `the HDA went offline while running this task (lease ended ${new Date(task.leaseUntil ?? 0).toISOString()}, ${seen}); run it again once the HDA is back`;
    if (await failTaskBySystem(deps, task, 'lease', detail)) failed++;
  }
  return failed;
}

export async function runUpkeep(deps: Deps): Promise<UpkeepReport> {
  const leasesExpired = await expireOfflineLeases(deps);
  const deadline = deps.now() - deps.config.batchStartDeadlineHours * 60 * MINUTE;
  const batchItemsExpired = await failItemsOfflineSince(deps, deadline, PRUNE_SLICE);
  return { leasesExpired, batchItemsExpired, ...(await pruneAll(deps)) };
}
