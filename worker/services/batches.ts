/**
 * Fleet deployments: one app version installed (or updated) on many HDAs, at most `concurrency` at a
 * time. An HDA that is offline stays pending and starts when it comes back. All-or-nothing mode
 * reverts the HDAs already done when one fails, so the fleet stays on one version.
 */
import { and, eq, inArray, lt } from 'drizzle-orm';
import { apps, appVersions, batchItems, batches, hdas, installs, tasks, users } from '../../db/schema';
import { jobActor, type Actor, type Deps, type QueueListeners } from '../context';
import { atomically } from '../db';
import { ApiError, badRequest, notFound } from '../errors';
import { batchKey } from '../waker';
import { auditStatement, byUser } from './audit';
import { findApp, findVersion } from './catalog';
import { ownedHda } from './hdas';
import { isOnline, notSeenSince } from './presence';
import { createInstall, performAction, type InstallOverrides } from './installs';

export type BatchRow = typeof batches.$inferSelect;
export type BatchItemRow = typeof batchItems.$inferSelect;

export interface BatchRequest {
  app: string;
  version?: string;
  hdas?: string[];
  tag?: string;
  concurrency?: number;
  all_or_nothing?: boolean;
  overrides?: Record<string, InstallOverrides>;
  /** Policy rules waived on HDAs where the app is newly installed (recorded in the audit log there). */
  policy_exceptions?: string[];
}

async function targetHdas(deps: Deps, user: Actor, req: BatchRequest) {
  if (req.hdas?.length) return Promise.all(req.hdas.map((id) => ownedHda(deps, user, id)));
  const all = await deps.db
    .select()
    .from(hdas)
    .where(user.role === 'admin' ? undefined : eq(hdas.ownerId, user.id));
  return all.filter((h) => !h.revokedAt && h.tagsJson.includes(req.tag!));
}

/** Items per INSERT: D1 binds at most 100 parameters per statement, and an item has 9 columns. */
const ITEMS_PER_INSERT = 10;

function inChunks<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export async function createBatch(deps: Deps, user: Actor, req: BatchRequest) {
  if (!req.hdas?.length && !req.tag) throw badRequest('choose the HDAs: a list of ids or a tag');
  const app = await findApp(deps, req.app);
  const version = await findVersion(deps, app.id, req.version);
  const targets = await targetHdas(deps, user, req);
  if (targets.length === 0) throw badRequest(`no HDA carries the tag '${req.tag}'`);
  for (const id of Object.keys(req.overrides ?? {})) {
    if (!targets.some((h) => h.id === id)) throw badRequest(`overrides name HDA ${id}, which is not in this deployment`);
  }
  const now = deps.stamp();
  const batch: BatchRow = {
    id: crypto.randomUUID(),
    ownerId: user.id,
    appId: app.id,
    versionId: version.id,
    policyExceptionsJson: req.policy_exceptions ?? [],
    concurrency: req.concurrency ?? 2,
    allOrNothing: !!req.all_or_nothing,
    state: 'running',
    createdAt: now,
    finishedAt: null,
  };
  await atomically(deps.db, [
    deps.db.insert(batches).values(batch),
    ...inChunks(
      targets.map((h) => ({
        batchId: batch.id,
        hdaId: h.id,
        state: 'pending' as const,
        overridesJson: req.overrides?.[h.id] ?? {},
        updatedAt: now,
      })),
      ITEMS_PER_INSERT,
    ).map((rows) => deps.db.insert(batchItems).values(rows)),
    auditStatement(deps.db, now, {
      ...byUser(user),
      action: 'batch.create',
      targetKind: 'batch',
      targetId: batch.id,
      detail: { app: app.slug, version: version.version, hdas: targets.length },
    }),
  ]);
  await advanceBatch(deps, batch.id);
  return batch;
}

export async function ownedBatch(deps: Deps, user: Actor, batchId: string) {
  const [batch] = await deps.db.select().from(batches).where(eq(batches.id, batchId)).limit(1);
  if (!batch || (user.role !== 'admin' && batch.ownerId !== user.id)) throw notFound('batch');
  const items = await deps.db
    .select({ item: batchItems, hdaName: hdas.name, lastSeenAt: hdas.lastSeenAt, channelOpen: hdas.channelOpen })
    .from(batchItems)
    .innerJoin(hdas, eq(hdas.id, batchItems.hdaId))
    .where(eq(batchItems.batchId, batchId))
    .orderBy(hdas.name);
  return { batch, items };
}

/** Starts pending items on online HDAs while fewer than `concurrency` are in flight; closes the batch when all are done. */
export async function advanceBatch(deps: Deps, batchId: string): Promise<void> {
  const [batch] = await deps.db.select().from(batches).where(eq(batches.id, batchId)).limit(1);
  if (!batch || (batch.state !== 'running' && batch.state !== 'rolling_back')) return;
  const [owner] = await deps.db.select().from(users).where(eq(users.id, batch.ownerId));
  const actor = jobActor('fleet-batch', owner);
  const { items } = await ownedBatch(deps, actor, batchId);
  let inFlight = items.filter((i) => i.item.state === 'queued').length;
  if (batch.state === 'running') {
    for (const { item, lastSeenAt, channelOpen } of items) {
      if (inFlight >= batch.concurrency) break;
      if (item.state !== 'pending' || !isOnline(deps, { lastSeenAt, channelOpen })) continue;
      // Two tasks of the batch finishing together both advance it: only the one whose claim wins starts the item.
      if (!(await claimItem(deps, batch.id, item.hdaId))) continue;
      await startItem(deps, actor, batch, item);
      inFlight++;
    }
  }
  await closeIfDone(deps, batch);
  deps.waker.notify(batchKey(batchId));
}

/** One conditional update moves a pending item to queued; false when another caller got there first. */
async function claimItem(deps: Deps, batchId: string, hdaId: string): Promise<boolean> {
  const won = await deps.db
    .update(batchItems)
    .set({ state: 'queued', updatedAt: deps.now() })
    .where(and(eq(batchItems.batchId, batchId), eq(batchItems.hdaId, hdaId), eq(batchItems.state, 'pending')))
    .returning({ hdaId: batchItems.hdaId });
  return won.length === 1;
}

async function startItem(deps: Deps, actor: Actor, batch: BatchRow, item: BatchItemRow) {
  const overrides = item.overridesJson;
  const [app] = await deps.db
    .select({ slug: installs.identifier, id: installs.id })
    .from(installs)
    .where(
      and(eq(installs.hdaId, item.hdaId), eq(installs.appId, batch.appId), inArray(installs.state, ['installing', 'running', 'stopped', 'updating', 'failed'])),
    )
    .limit(1);
  const now = deps.now();
  try {
    let patch: Partial<BatchItemRow>;
    if (app) {
      const { taskId } = await performAction(
        deps,
        actor,
        app.id,
        { action: 'update', version: await versionName(deps, batch) },
        { batchId: batch.id, overrides },
      );
      patch = { state: 'queued', action: 'update', installId: app.id, taskId };
    } else {
      const appSlug = await appSlugOf(deps, batch);
      const policy_exceptions = batch.policyExceptionsJson;
      const { install, taskId } = await createInstall(
        deps,
        actor,
        item.hdaId,
        { app: appSlug, version: await versionName(deps, batch), overrides, policy_exceptions },
        { batchId: batch.id },
      );
      patch = { state: 'queued', action: 'install', installId: install.id, taskId };
    }
    await deps.db
      .update(batchItems)
      .set({ ...patch, updatedAt: now })
      .where(and(eq(batchItems.batchId, batch.id), eq(batchItems.hdaId, item.hdaId)));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    await deps.db
      .update(batchItems)
      .set({ state: 'failed', detail: err.message, updatedAt: now })
      .where(and(eq(batchItems.batchId, batch.id), eq(batchItems.hdaId, item.hdaId)));
    if (batch.allOrNothing) await revertBatch(deps, actor, batch);
  }
}

async function versionName(deps: Deps, batch: BatchRow) {
  const [v] = await deps.db.select({ version: appVersions.version }).from(appVersions).where(eq(appVersions.id, batch.versionId));
  return v.version;
}

async function appSlugOf(deps: Deps, batch: BatchRow) {
  const [a] = await deps.db.select({ slug: apps.slug }).from(apps).where(eq(apps.id, batch.appId));
  return a.slug;
}

/** Called when a task a batch queued ends (by the agent's report, or failed by the server). */
export async function onBatchTaskFinished(deps: Deps, batchId: string, taskId: string): Promise<void> {
  const [task] = await deps.db.select({ state: tasks.state, detail: tasks.detail, hdaId: tasks.hdaId }).from(tasks).where(eq(tasks.id, taskId));
  const [batch] = await deps.db.select().from(batches).where(eq(batches.id, batchId));
  if (!task || !batch) return;
  const state = task.state === 'succeeded' ? 'succeeded' : task.state === 'cancelled' ? 'cancelled' : 'failed';
  await deps.db
    .update(batchItems)
    .set({ state, detail: task.detail, updatedAt: deps.now() })
    .where(and(eq(batchItems.batchId, batchId), eq(batchItems.taskId, taskId), eq(batchItems.state, 'queued')));
  if (state === 'failed' && batch.allOrNothing && batch.state === 'running') {
    const [owner] = await deps.db.select().from(users).where(eq(users.id, batch.ownerId));
    await revertBatch(deps, jobActor('fleet-batch', owner), batch);
  }
  await advanceBatch(deps, batchId);
}

/** All-or-nothing: cancel what has not started and return the HDAs already done to where they were. */
async function revertBatch(deps: Deps, actor: Actor, batch: BatchRow) {
  const now = deps.now();
  await deps.db.update(batches).set({ state: 'rolling_back' }).where(eq(batches.id, batch.id));
  batch.state = 'rolling_back';
  await deps.db
    .update(batchItems)
    .set({ state: 'cancelled', detail: 'cancelled: another HDA failed (all-or-nothing)', updatedAt: now })
    .where(and(eq(batchItems.batchId, batch.id), eq(batchItems.state, 'pending')));
  const done = await deps.db
    .select()
    .from(batchItems)
    .where(and(eq(batchItems.batchId, batch.id), eq(batchItems.state, 'succeeded')));
  for (const item of done) {
    const action = item.action === 'install' ? 'uninstall' : 'rollback';
    const { taskId } = await performAction(deps, actor, item.installId!, { action });
    await deps.db
      .update(batchItems)
      .set({ state: 'rolled_back', detail: `reverted by ${action} (task ${taskId})`, updatedAt: now })
      .where(and(eq(batchItems.batchId, batch.id), eq(batchItems.hdaId, item.hdaId)));
  }
}

async function closeIfDone(deps: Deps, batch: BatchRow) {
  const items = await deps.db.select({ state: batchItems.state }).from(batchItems).where(eq(batchItems.batchId, batch.id));
  if (items.some((i) => i.state === 'pending' || i.state === 'queued')) return;
  const state = batch.state === 'rolling_back' ? 'rolled_back' : items.every((i) => i.state === 'succeeded') ? 'succeeded' : 'failed';
  await deps.db.update(batches).set({ state, finishedAt: deps.now() }).where(eq(batches.id, batch.id));
}

/** An HDA that was offline is back: start its pending batch items. Off the idle path (only after an absence). */
export async function resumeBatchesFor(deps: Deps, hdaId: string): Promise<void> {
  const pending = await deps.db
    .select({ batchId: batchItems.batchId })
    .from(batchItems)
    .where(and(eq(batchItems.hdaId, hdaId), eq(batchItems.state, 'pending')));
  for (const { batchId } of pending) await advanceBatch(deps, batchId);
}

/** How the fleet hears the queue (wired into Deps by buildDeps): the queue never calls batches itself. */
export const fleetListeners: QueueListeners = { taskFinished: onBatchTaskFinished, hdaOnline: resumeBatchesFor };

/**
 * Upkeep: pending items of running batches whose HDA has been offline since before `queuedBefore`
 * fail with the reason (an all-or-nothing batch reverts), and their batches move on or close.
 */
export async function failItemsOfflineSince(deps: Deps, queuedBefore: number, limit: number): Promise<number> {
  const offlineBefore = deps.now() - deps.config.onlineWindowS * 1000;
  const stale = await deps.db
    .select({ batchId: batchItems.batchId, hdaId: batchItems.hdaId, hdaName: hdas.name, lastSeenAt: hdas.lastSeenAt })
    .from(batchItems)
    .innerJoin(batches, eq(batches.id, batchItems.batchId))
    .innerJoin(hdas, eq(hdas.id, batchItems.hdaId))
    .where(and(eq(batchItems.state, 'pending'), eq(batches.state, 'running'), lt(batchItems.updatedAt, queuedBefore), notSeenSince(deps, offlineBefore)))
    .limit(limit);
  let failed = 0;
  for (const item of stale) {
    const since = item.lastSeenAt ? `last seen ${new Date(item.lastSeenAt).toISOString()}` : 'never seen';
    const detail = `not started: HDA ${item.hdaName} stayed offline past the start deadline (${deps.config.batchStartDeadlineHours} h; ${since})`;
    const [won] = await deps.db
      .update(batchItems)
      .set({ state: 'failed', detail, updatedAt: deps.now() })
      .where(and(eq(batchItems.batchId, item.batchId), eq(batchItems.hdaId, item.hdaId), eq(batchItems.state, 'pending')))
      .returning({ hdaId: batchItems.hdaId });
    if (!won) continue;
    failed++;
    const [batch] = await deps.db.select().from(batches).where(eq(batches.id, item.batchId));
    if (batch?.allOrNothing && batch.state === 'running') {
      const [owner] = await deps.db.select().from(users).where(eq(users.id, batch.ownerId));
      await revertBatch(deps, jobActor('fleet-batch', owner), batch);
    }
    await advanceBatch(deps, item.batchId);
  }
  return failed;
}
