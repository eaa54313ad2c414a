/**
 * The command queue agents pull from. Queueing work and ringing the HDA are one operation (enqueue);
 * an end of a task and an HDA's return are announced here to the fleet (Deps.listeners).
 *
 * Tasks of one HDA run one at a time, oldest first: the poll looks only at the HDA's oldest open task
 * (queued, or claimed with a lease). A claim is a single conditional UPDATE, so two polls can never
 * both win the same task; a lease that runs out without news hands the task out again.
 */
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { ClaimedTask, PayloadOf, TaskKind } from '../../core/protocol';
import { deployments, hdas, tasks } from '../../db/schema';
import type { Deps } from '../context';
import { atomically } from '../db';
import { hdaKey, taskKey } from '../waker';

type TaskRow = typeof tasks.$inferSelect;

/** The row's payload was written for its kind (insertTaskStatement takes the two together). */
export function toClaimedTask(row: TaskRow): ClaimedTask {
  return {
    id: row.id,
    kind: row.kind,
    hda_id: row.hdaId,
    install_id: row.installId,
    deployment_id: row.deploymentId,
    attempts: row.attempts,
    lease_until: new Date(row.leaseUntil ?? 0).toISOString(),
    payload: row.payloadJson,
  } as ClaimedTask;
}

export type OpenTask = Pick<TaskRow, 'id' | 'state' | 'leaseUntil' | 'attempts'>;

/** Whether the poll may hand this task out now. */
export function isClaimable(task: OpenTask | null, now: number): boolean {
  if (!task) return false;
  return task.state === 'queued' || (task.state === 'claimed' && (task.leaseUntil ?? 0) < now);
}

/**
 * Claims the task if it is still claimable (the WHERE re-checks in the same statement). A task whose
 * lease has run out `maxAttempts` times is failed instead, so a task that kills its agent cannot
 * block the HDA's queue for ever.
 */
export async function claimTask(deps: Deps, hdaId: string, taskId: string, attempts: number): Promise<ClaimedTask | null> {
  const now = deps.now();
  const claimable = and(
    eq(tasks.id, taskId),
    eq(tasks.hdaId, hdaId),
    or(eq(tasks.state, 'queued'), and(eq(tasks.state, 'claimed'), lt(tasks.leaseUntil, now))),
  );
  if (attempts >= deps.config.maxAttempts) {
    const detail = `the agent took this task ${attempts} times without finishing it`;
    const [failed] = await deps.db.update(tasks).set({ state: 'failed', detail, finishedAt: now, leaseUntil: null }).where(claimable).returning();
    if (failed) await onTaskFailedByServer(deps, failed, detail);
    return null;
  }
  const [claimed] = await deps.db
    .update(tasks)
    .set({ state: 'claimed', leaseUntil: now + deps.config.leaseS * 1000, attempts: sql`${tasks.attempts} + 1`, claimedAt: now })
    .where(claimable)
    .returning();
  if (!claimed) return null;
  if (claimed.deploymentId) {
    await deps.db
      .update(deployments)
      .set({ status: 'running' })
      .where(and(eq(deployments.id, claimed.deploymentId), eq(deployments.status, 'pending')));
  }
  return toClaimedTask(claimed);
}

/** A task the server gave up on: its deployment fails too and whoever follows it hears so. */
async function onTaskFailedByServer(deps: Deps, task: TaskRow, detail: string) {
  if (task.deploymentId) {
    await deps.db.update(deployments).set({ status: 'failed', detail, finishedAt: deps.now() }).where(eq(deployments.id, task.deploymentId));
  }
  await taskFinished(deps, task);
}

/**
 * Refreshes last_seen only when it is stale, so an idle poll writes nothing most of the time.
 * Returns true when the HDA was offline until now (work waiting for it may just have been queued).
 */
export async function touchLastSeen(deps: Deps, hdaId: string, lastSeenAt: number | null): Promise<boolean> {
  const now = deps.now();
  if (lastSeenAt && now - lastSeenAt < deps.config.heartbeatMinWriteS * 1000) return false;
  await deps.db.update(hdas).set({ lastSeenAt: now }).where(eq(hdas.id, hdaId));
  deps.idleHdas?.touch(hdaId, now);
  if (lastSeenAt && now - lastSeenAt < deps.config.onlineWindowS * 1000) return false;
  await deps.listeners.hdaOnline(deps, hdaId);
  return true;
}

/** Hands a claimed task back to the queue (an agent shutting down before it started the work). */
export async function releaseTask(deps: Deps, hdaId: string, taskId: string): Promise<boolean> {
  const [row] = await deps.db
    .update(tasks)
    .set({ state: 'queued', leaseUntil: null, attempts: sql`max(${tasks.attempts} - 1, 0)` })
    .where(and(eq(tasks.id, taskId), eq(tasks.hdaId, hdaId), eq(tasks.state, 'claimed')))
    .returning({ id: tasks.id });
  if (row) await ringHda(deps, hdaId);
  return !!row;
}

interface NewTaskRow {
  id: string;
  hdaId: string;
  installId: string | null;
  deploymentId: string | null;
  lane?: 'main' | 'aux';
  batchId?: string | null;
}
/** A task to queue: its payload is the one its kind carries (what toClaimedTask relies on). */
export type NewTask = { [K in TaskKind]: NewTaskRow & { kind: K; payload: PayloadOf<K> } }[TaskKind];

function insertTaskStatement(deps: Deps, t: NewTask, at: number) {
  return deps.db.insert(tasks).values({
    id: t.id,
    hdaId: t.hdaId,
    installId: t.installId,
    deploymentId: t.deploymentId,
    kind: t.kind,
    lane: t.lane ?? 'main',
    batchId: t.batchId ?? null,
    payloadJson: t.payload,
    state: 'queued',
    attempts: 0,
    createdAt: at,
  });
}

/** The kinds of the install's main-lane tasks still queued or running (their payloads are fixed already). */
export async function openTaskKinds(deps: Deps, installId: string): Promise<string[]> {
  const rows = await deps.db
    .select({ kind: tasks.kind })
    .from(tasks)
    .where(and(eq(tasks.installId, installId), eq(tasks.lane, 'main'), inArray(tasks.state, ['queued', 'claimed'])));
  return rows.map((r) => r.kind);
}

/**
 * Queues a task and rings its HDA: the task is written atomically with `alongside` (its install,
 * deployment, audit rows ...), then the HDA's waiting poll wakes and its channel is rung.
 * Returns the results of `alongside`, in order.
 */
export async function enqueue(deps: Deps, task: NewTask, at: number, alongside: BatchItem<'sqlite'>[] = []): Promise<unknown[]> {
  const results = await atomically(deps.db, [...alongside, insertTaskStatement(deps, task, at)]);
  await ringHda(deps, task.hdaId);
  return results.slice(0, alongside.length);
}

/** Tells the HDA to look at its queue now: its waiting poll re-checks, and its channel rings. */
export async function ringHda(deps: Deps, hdaId: string): Promise<void> {
  deps.waker.notify(hdaKey(hdaId));
  // The task is stored: a doorbell that fails only delays it until the agent's next look.
  await deps.doorbell.ring(hdaId).catch((err: Error) => console.warn(`could not ring HDA ${hdaId}: ${err.message}`));
}

/** Ends an HDA's channel and polls: its token was revoked or replaced (a waiting poll re-checks and gets 401). */
export async function hangUpHda(deps: Deps, hdaId: string): Promise<void> {
  deps.waker.notify(hdaKey(hdaId));
  await deps.doorbell.hangUp(hdaId).catch((err: Error) => console.warn(`could not close HDA ${hdaId}'s channel: ${err.message}`));
}

/**
 * A task has ended (reported, cancelled or failed by the server): whoever follows it hears so, the
 * HDA's next main task may be claimed now, and the fleet advances a batch the task belongs to.
 */
export async function taskFinished(deps: Deps, task: Pick<TaskRow, 'id' | 'hdaId' | 'lane' | 'batchId'>): Promise<void> {
  deps.waker.notify(taskKey(task.id));
  if (task.lane === 'main') await ringHda(deps, task.hdaId);
  if (task.batchId) await deps.listeners.taskFinished(deps, task.batchId, task.id);
}
