/**
 * The command queue agents pull from.
 *
 * Tasks of one HDA run one at a time, oldest first: the poll looks only at the HDA's oldest open task
 * (queued, or claimed with a lease). A claim is a single conditional UPDATE, so two polls can never
 * both win the same task; a lease that runs out without news hands the task out again.
 */
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { ClaimedTask, TaskKind, TaskPayload } from '../../core/protocol';
import { deployments, hdas, tasks } from '../../db/schema';
import type { Deps } from '../context';
import { atomically } from '../db';
import { sha256Hex, timingSafeEqualText } from '../auth/encoding';
import { hdaKey } from '../waker';
import { auditStatement } from './audit';

type TaskRow = typeof tasks.$inferSelect;

export function toClaimedTask(row: TaskRow): ClaimedTask {
  return {
    id: row.id,
    kind: row.kind as TaskKind,
    hda_id: row.hdaId,
    install_id: row.installId,
    deployment_id: row.deploymentId,
    attempts: row.attempts,
    lease_until: new Date(row.leaseUntil ?? 0).toISOString(),
    payload: JSON.parse(row.payloadJson) as TaskPayload,
  };
}

export interface PollCheck {
  /** False when the token is unknown, wrong or revoked. */
  authorized: boolean;
  lastSeenAt: number | null;
  task: Pick<TaskRow, 'id' | 'state' | 'leaseUntil' | 'attempts'> | null;
}

/**
 * The idle poll's only query: the HDA's token hash joined with its oldest open task, one indexed
 * lookup on each table.
 */
export async function pollCheck(deps: Deps, hdaId: string, token: string): Promise<PollCheck> {
  const oldestOpen = deps.db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.hdaId, hdaId), inArray(tasks.state, ['queued', 'claimed'])))
    .orderBy(tasks.createdAt, tasks.id)
    .limit(1);
  const rows = await deps.db
    .select({
      tokenHash: hdas.tokenHash,
      lastSeenAt: hdas.lastSeenAt,
      taskId: tasks.id,
      taskState: tasks.state,
      leaseUntil: tasks.leaseUntil,
      attempts: tasks.attempts,
    })
    .from(hdas)
    .leftJoin(tasks, sql`${tasks.id} = (${oldestOpen})`)
    .where(eq(hdas.id, hdaId))
    .limit(1);
  const row = rows[0];
  const authorized = !!row?.tokenHash && timingSafeEqualText(row.tokenHash, await sha256Hex(token));
  if (!row || !authorized) return { authorized: false, lastSeenAt: null, task: null };
  return {
    authorized: true,
    lastSeenAt: row.lastSeenAt,
    task: row.taskId ? { id: row.taskId, state: row.taskState!, leaseUntil: row.leaseUntil, attempts: row.attempts! } : null,
  };
}

/** Whether the poll may hand this task out now. */
export function isClaimable(task: PollCheck['task'], now: number): boolean {
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
    const failed = await deps.db.update(tasks).set({ state: 'failed', detail, finishedAt: now, leaseUntil: null }).where(claimable).returning();
    if (failed[0]?.deploymentId) {
      await deps.db.update(deployments).set({ status: 'failed', detail, finishedAt: now }).where(eq(deployments.id, failed[0].deploymentId));
    }
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

/** Refreshes last_seen only when it is stale, so an idle poll writes nothing most of the time. */
export async function touchLastSeen(deps: Deps, hdaId: string, lastSeenAt: number | null): Promise<void> {
  const now = deps.now();
  if (lastSeenAt && now - lastSeenAt < deps.config.heartbeatMinWriteS * 1000) return;
  await deps.db.update(hdas).set({ lastSeenAt: now }).where(eq(hdas.id, hdaId));
}

/** Hands a claimed task back to the queue (an agent shutting down before it started the work). */
export async function releaseTask(deps: Deps, hdaId: string, taskId: string): Promise<boolean> {
  const [row] = await deps.db
    .update(tasks)
    .set({ state: 'queued', leaseUntil: null, attempts: sql`max(${tasks.attempts} - 1, 0)` })
    .where(and(eq(tasks.id, taskId), eq(tasks.hdaId, hdaId), eq(tasks.state, 'claimed')))
    .returning({ id: tasks.id });
  if (row) deps.waker.notify(hdaKey(hdaId));
  return !!row;
}

export interface NewTask {
  id: string;
  hdaId: string;
  installId: string | null;
  deploymentId: string | null;
  kind: TaskKind;
  payload: TaskPayload;
}

export function insertTaskStatement(deps: Deps, t: NewTask, at: number) {
  return deps.db.insert(tasks).values({
    id: t.id,
    hdaId: t.hdaId,
    installId: t.installId,
    deploymentId: t.deploymentId,
    kind: t.kind,
    payloadJson: JSON.stringify(t.payload),
    state: 'queued',
    attempts: 0,
    createdAt: at,
  });
}

/** Cancels a task that has not been claimed yet. */
export async function cancelTask(deps: Deps, task: TaskRow, actorId: string): Promise<boolean> {
  const now = deps.now();
  const statements = [
    deps.db
      .update(tasks)
      .set({ state: 'cancelled', detail: 'cancelled by the owner', finishedAt: now })
      .where(and(eq(tasks.id, task.id), eq(tasks.state, 'queued')))
      .returning({ id: tasks.id }),
    auditStatement(deps.db, now, { actorId, actorKind: 'user', action: 'task.cancel', targetKind: 'task', targetId: task.id }),
  ] as const;
  const [cancelled] = (await atomically(deps.db, [...statements])) as [Array<{ id: string }>];
  if (cancelled.length === 0) return false;
  if (task.deploymentId) {
    await deps.db.update(deployments).set({ status: 'cancelled', finishedAt: now }).where(eq(deployments.id, task.deploymentId));
  }
  return true;
}
