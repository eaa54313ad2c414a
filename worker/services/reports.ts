/**
 * What agents report about a task: progress events (idempotent on (task, seq)) and the final result,
 * which closes the task, its deployment and moves the install to its new state in one batch.
 */
import { and, eq, inArray, max, sql, type SQL } from 'drizzle-orm';
import {
  FINAL_TASK_STATES,
  isOneOf,
  VERSION_CHANGING_KINDS,
  type PayloadOf,
  type TaskEventInput,
  type TaskEventsAck,
  type TaskKind,
  type TaskResultInput,
  type TaskState,
} from '../../core/protocol';
import type { InstallState } from '../../db/schema';
import { deployments, installs, taskEvents, tasks } from '../../db/schema';
import type { Deps } from '../context';
import { atomically, isUniqueViolation } from '../db';
import type { BatchItem } from 'drizzle-orm/batch';
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core';
import { ApiError, conflict, notFound } from '../errors';
import { taskKey } from '../waker';
import { auditStatement, type AuditEntry } from './audit';
import { taskFinished } from './queue';
import { recordSnapshotsStatement } from './snapshots';

async function agentTask(deps: Deps, hdaId: string, taskId: string) {
  const [task] = await deps.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, taskId), eq(tasks.hdaId, hdaId)))
    .limit(1);
  // Another HDA's task looks exactly like a missing one.
  if (!task) throw notFound('task');
  return task;
}

export async function ingestEvents(deps: Deps, hdaId: string, taskId: string, events: TaskEventInput[]): Promise<TaskEventsAck> {
  const task = await agentTask(deps, hdaId, taskId);
  if (isOneOf(FINAL_TASK_STATES, task.state)) await refuseNewEventsOfEndedTask(deps, taskId, events);
  const now = deps.now();
  const rows = events.map((e) => ({
    taskId,
    seq: e.seq,
    status: e.status,
    step: e.step ?? null,
    message: e.message,
    dataJson: e.data ?? null,
    at: now,
  }));
  const insert = deps.db.insert(taskEvents).values(rows).onConflictDoNothing().returning({ seq: taskEvents.seq });
  // News from the agent keeps its lease alive.
  const statements =
    task.state === 'claimed'
      ? [
          insert,
          deps.db
            .update(tasks)
            .set({ leaseUntil: now + deps.config.leaseS * 1000 })
            .where(and(eq(tasks.id, taskId), eq(tasks.state, 'claimed'))),
        ]
      : [insert];
  const [inserted] = (await atomically(deps.db, statements)) as [Array<{ seq: number }>];
  const [{ last }] = await deps.db
    .select({ last: max(taskEvents.seq) })
    .from(taskEvents)
    .where(eq(taskEvents.taskId, taskId));
  if (inserted.length > 0) deps.waker.notify(taskKey(taskId));
  return { accepted: inserted.length, duplicates: rows.length - inserted.length, last_seq: last ?? 0 };
}

/** An ended task's stream is closed: a re-sent event is a duplicate, a new one is refused. */
async function refuseNewEventsOfEndedTask(deps: Deps, taskId: string, events: TaskEventInput[]): Promise<void> {
  const [{ last }] = await deps.db
    .select({ last: max(taskEvents.seq) })
    .from(taskEvents)
    .where(eq(taskEvents.taskId, taskId));
  const fresh = events.filter((e) => e.seq > (last ?? 0));
  if (fresh.length > 0) throw conflict(`task ${taskId} has ended; events after its result are refused (seq ${fresh[0].seq} > ${last ?? 0})`);
}

/** The install's state after a task of `kind` ended. */
function installStateAfter(kind: TaskKind, result: TaskResultInput): InstallState {
  if (result.state === 'succeeded') {
    if (kind === 'stop') return 'stopped';
    if (kind === 'uninstall') return 'removed';
    return 'running';
  }
  // A first install that failed is failed, whatever its half-made containers do: it never worked.
  if (kind === 'install' && result.app_state !== 'removed') return 'failed';
  // A reconfigure that could not put the old settings back left the app down: that is a failure.
  if (kind === 'reconfigure') return result.app_state === 'running' ? 'running' : 'failed';
  switch (result.app_state) {
    case 'running':
      return 'running'; // e.g. a failed update the agent rolled back
    case 'stopped':
    case 'exited':
      return 'stopped';
    case 'removed':
      return 'removed';
    default:
      return 'failed';
  }
}

/** Whether a kind's result sets the install's state (logs only observe; prune and backups act on no install). */
const SETS_INSTALL_STATE = {
  install: true,
  update: true,
  rollback: true,
  uninstall: true,
  start: true,
  stop: true,
  restart: true,
  reconfigure: true,
  logs: false,
  prune: false,
  'backup-config': false,
  'backup-run': false,
  // A snapshot or a restore leaves the install in the state it was (a failed restore starts the app again).
  snapshot: false,
  restore: false,
} as const satisfies Record<TaskKind, boolean>;

type TaskRow = typeof tasks.$inferSelect;

export async function finishTask(deps: Deps, hdaId: string, taskId: string, result: TaskResultInput): Promise<{ state: TaskState }> {
  const task = await agentTask(deps, hdaId, taskId);
  if (task.state === result.state) return { state: task.state }; // a re-sent result: already recorded
  if (task.state !== 'claimed' && task.state !== 'queued') {
    throw conflict(`task is already ${task.state}`);
  }
  try {
    return await recordResult(deps, hdaId, task, result);
  } catch (err) {
    const port = result.host_port;
    if (!isUniqueViolation(err) || port === undefined) throw err;
    // The unique (hda, host_port) index refused the port the agent used: say so, record nothing of it.
    const { host_port: _, ...rest } = result;
    const words = `the app answers on host port ${port}, but another install of this HDA holds that port here; change the port of one of them`;
    return recordResult(deps, hdaId, task, { ...rest, state: 'failed', step: result.step ?? 'ports', detail: `${result.detail}; ${words}` });
  }
}

/** Who closed a task: its HDA's agent, or the control plane itself (upkeep giving up on an offline HDA). */
type ResultActor = Pick<AuditEntry, 'actorId' | 'actorKind'>;

/**
 * Fails a task the agent can no longer report on (its HDA went offline holding it): the same close as
 * an agent's failed result (deployment, install, batch), recorded in the audit log as the system's.
 */
export async function failTaskBySystem(deps: Deps, task: TaskRow, step: string, detail: string): Promise<boolean> {
  try {
    // Only while it is still the claim upkeep saw: an agent back in time has renewed or re-claimed it.
    const unchanged = and(eq(tasks.state, 'claimed'), eq(tasks.leaseUntil, task.leaseUntil ?? -1));
    await recordResult(deps, task.hdaId, task, { state: 'failed', step, detail }, { actorId: null, actorKind: 'system' }, unchanged);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) return false; // the agent's own result won the race
    throw err;
  }
}

async function recordResult(
  deps: Deps,
  hdaId: string,
  task: TaskRow,
  result: TaskResultInput,
  actor: ResultActor = { actorId: hdaId, actorKind: 'agent' },
  guard?: SQL,
): Promise<{ state: TaskState }> {
  const now = deps.now();
  const detail = result.detail.slice(0, 4000);
  const statements: BatchItem<'sqlite'>[] = [
    deps.db
      .update(tasks)
      .set({ state: result.state, detail, failedStep: result.step ?? null, finishedAt: now, leaseUntil: null })
      .where(and(eq(tasks.id, task.id), inArray(tasks.state, ['queued', 'claimed']), guard))
      .returning({ id: tasks.id }),
    auditStatement(deps.db, now, {
      ...actor,
      action: `task.${result.state}`,
      targetKind: 'task',
      targetId: task.id,
      detail: { kind: task.kind, step: result.step ?? null },
    }),
  ];
  const snaps = recordSnapshotsStatement(deps, task, result);
  if (snaps) statements.push(snaps);
  if (task.deploymentId) statements.push(deploymentClosed(deps, task.deploymentId, result, detail, now));
  if (task.installId && SETS_INSTALL_STATE[task.kind]) {
    const current = result.state === 'succeeded' && isOneOf(VERSION_CHANGING_KINDS, task.kind) ? task.deploymentId : null;
    const versionId = current ? await deploymentVersion(deps, current) : null;
    statements.push(installClosed(deps, { ...task, installId: task.installId }, result, now, current ? { current, versionId } : null));
  }
  const [updated] = (await atomically(deps.db, statements)) as [Array<{ id: string }>];
  if (updated.length === 0) throw conflict('task was finished by another report');
  // The next main task of this HDA may be waiting behind this one: the agent's poll, held open
  // meanwhile, re-checks now and takes it (the agent never has to drop a poll and risk a claim).
  await taskFinished(deps, task);
  return { state: result.state };
}

function deploymentClosed(deps: Deps, deploymentId: string, result: TaskResultInput, detail: string, now: number) {
  return deps.db
    .update(deployments)
    .set({
      status: result.state,
      detail,
      finishedAt: now,
      ...(result.rendered_compose ? { renderedCompose: result.rendered_compose } : {}),
      ...(result.images ? { imagesJson: result.images } : {}),
    })
    .where(eq(deployments.id, deploymentId));
}

/** The install's state after its task (logs and prune never move it), and its new deployment if one became current. */
function installClosed(
  deps: Deps,
  task: TaskRow & { installId: string },
  result: TaskResultInput,
  now: number,
  deployed: { current: string; versionId: string | null } | null,
) {
  return deps.db
    .update(installs)
    .set({
      state: installStateAfter(task.kind, result),
      updatedAt: now,
      ...(result.state === 'succeeded' ? appliedSettings(task.kind, task, result) : {}),
      ...(deployed ? { currentDeploymentId: deployed.current, ...(deployed.versionId ? { versionId: deployed.versionId } : {}) } : {}),
    })
    .where(eq(installs.id, task.installId));
}

/** What a succeeded install or reconfigure applied: the port the agent used, and a reconfigure's limits. */
function appliedSettings(kind: TaskKind, task: TaskRow, result: TaskResultInput): SQLiteUpdateSetSource<typeof installs> {
  const port = result.host_port !== undefined ? { hostPort: result.host_port } : {};
  if (kind === 'install') return port;
  if (kind !== 'reconfigure') return {};
  const payload = task.payloadJson as PayloadOf<'reconfigure'>; // a reconfigure task's payload
  if (payload.reconfigure.change === 'limits') return { ...port, limitsJson: payload.install.limits ?? {} };
  return { hostPort: result.host_port ?? payload.install.host_port, overridesJson: sql`json_set(${installs.overridesJson}, '$.port_fixed', json('true'))` };
}

async function deploymentVersion(deps: Deps, deploymentId: string): Promise<string | null> {
  const [row] = await deps.db.select({ versionId: deployments.versionId }).from(deployments).where(eq(deployments.id, deploymentId)).limit(1);
  return row?.versionId ?? null;
}
