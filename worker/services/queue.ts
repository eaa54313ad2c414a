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
import type { Database } from '../db';
import { sha256Hex, timingSafeEqualText } from '../auth/encoding';
import { hdaKey, taskKey } from '../waker';
import { alias } from 'drizzle-orm/sqlite-core';
import { onBatchTaskFinished, resumeBatchesFor } from './batches';

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

type OpenTask = Pick<TaskRow, 'id' | 'state' | 'leaseUntil' | 'attempts'>;

export interface PollCheck {
  /** False when the token is unknown, wrong or revoked. */
  authorized: boolean;
  lastSeenAt: number | null;
  /** The HDA's oldest open `main` task: it runs alone, in order. */
  task: OpenTask | null;
  /** The oldest claimable `aux` task (logs): runs beside the main lane. */
  aux: OpenTask | null;
}

/**
 * The idle poll's only query: the HDA's token hash joined with its oldest open main-lane task and
 * its oldest claimable aux task, each an indexed lookup. Built once per database and run with
 * placeholders: building it with drizzle on every poll cost more than running it.
 */
function buildPollQuery(db: Database) {
  const hdaId = sql.placeholder('hdaId');
  const now = sql.placeholder('now');
  const oldestMain = db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.hdaId, hdaId), eq(tasks.lane, 'main'), inArray(tasks.state, ['queued', 'claimed'])))
    .orderBy(tasks.createdAt, tasks.id)
    .limit(1);
  const oldestAux = db
    .select({ id: tasks.id })
    .from(tasks)
    // The IN keeps the lookup on the (hda, lane, state) index; an OR of states read every past logs task.
    .where(
      and(eq(tasks.hdaId, hdaId), eq(tasks.lane, 'aux'), inArray(tasks.state, ['queued', 'claimed']), or(eq(tasks.state, 'queued'), lt(tasks.leaseUntil, now))),
    )
    .orderBy(tasks.createdAt, tasks.id)
    .limit(1);
  // A logs task in flight hands itself out again when its lease ends, which no write announces: an
  // idle answer must not be remembered past that moment.
  const auxLeaseEnds = db
    .select({ ends: sql<number | null>`min(${tasks.leaseUntil})` })
    .from(tasks)
    .where(and(eq(tasks.hdaId, hdaId), eq(tasks.lane, 'aux'), eq(tasks.state, 'claimed')));
  const aux = alias(tasks, 'aux');
  return db
    .select({
      tokenHash: hdas.tokenHash,
      lastSeenAt: hdas.lastSeenAt,
      taskId: tasks.id,
      taskState: tasks.state,
      leaseUntil: tasks.leaseUntil,
      attempts: tasks.attempts,
      auxId: aux.id,
      auxState: aux.state,
      auxLease: aux.leaseUntil,
      auxAttempts: aux.attempts,
      auxLeaseEnds: sql<number | null>`(${auxLeaseEnds})`,
    })
    .from(hdas)
    .leftJoin(tasks, sql`${tasks.id} = (${oldestMain})`)
    .leftJoin(aux, sql`${aux.id} = (${oldestAux})`)
    .where(eq(hdas.id, hdaId))
    .limit(1)
    .prepare();
}

const pollQueries = new WeakMap<Database, ReturnType<typeof buildPollQuery>>();

export async function pollCheck(deps: Deps, hdaId: string, token: string): Promise<PollCheck> {
  const now = deps.now();
  const idle = deps.idleHdas?.get(hdaId, now);
  if (idle && timingSafeEqualText(idle.token, token)) return { authorized: true, lastSeenAt: idle.lastSeenAt, task: null, aux: null };
  let query = pollQueries.get(deps.db);
  if (!query) {
    query = buildPollQuery(deps.db);
    pollQueries.set(deps.db, query);
  }
  const readAt = deps.idleHdas?.version ?? 0;
  const rows = await query.all({ hdaId, now });
  const row = rows[0];
  const authorized = !!row?.tokenHash && timingSafeEqualText(row.tokenHash, await sha256Hex(token));
  if (!row || !authorized) return { authorized: false, lastSeenAt: null, task: null, aux: null };
  if (!row.taskId && !row.auxId) deps.idleHdas?.set(hdaId, token, row.lastSeenAt, now, row.auxLeaseEnds, readAt);
  return {
    authorized: true,
    lastSeenAt: row.lastSeenAt,
    task: row.taskId ? { id: row.taskId, state: row.taskState!, leaseUntil: row.leaseUntil, attempts: row.attempts! } : null,
    aux: row.auxId ? { id: row.auxId, state: row.auxState!, leaseUntil: row.auxLease, attempts: row.auxAttempts! } : null,
  };
}

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
  deps.waker.notify(taskKey(task.id));
  if (task.batchId) await onBatchTaskFinished(deps, task.batchId, task.id);
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
  await resumeBatchesFor(deps, hdaId);
  return true;
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
  lane?: 'main' | 'aux';
  batchId?: string | null;
}

export function insertTaskStatement(deps: Deps, t: NewTask, at: number) {
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
