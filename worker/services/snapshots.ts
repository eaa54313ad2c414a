/**
 * Data snapshots of installs: recorded from what agents report in task results, listed per install,
 * taken on demand and restored as tasks. The data itself never leaves the HDA (restic, on the HDA);
 * the control plane keeps when, why, how big and how long the app was down.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { TaskResultInput } from '../../core/protocol';
import { snapshots, type tasks } from '../../db/schema';
import type { Actor, Deps } from '../context';
import { badRequest, conflict, notFound } from '../errors';
import { auditStatement, byUser } from './audit';
import { installInfo, ownedInstall } from './installs';
import { enqueue } from './queue';
import { dataLossWarning } from './snapshot-as-of';

export type SnapshotRow = typeof snapshots.$inferSelect;

/** The statement recording the snapshots a task's result reports (a re-sent result inserts nothing twice). */
export function recordSnapshotsStatement(deps: Deps, task: typeof tasks.$inferSelect, result: TaskResultInput) {
  if (!task.installId || !result.snapshots?.length) return undefined;
  const installId = task.installId;
  const rows = result.snapshots.map((s) => ({
    installId,
    snapshotId: s.id,
    taskId: task.id,
    deploymentId: task.deploymentId,
    reason: s.reason,
    takenAt: Date.parse(s.taken_at) || deps.now(),
    sizeBytes: s.size_bytes,
    addedBytes: s.added_bytes,
    downtimeMs: s.downtime_ms,
    files: s.files,
    volumesJson: s.volumes,
  }));
  return deps.db.insert(snapshots).values(rows).onConflictDoNothing();
}

export async function listSnapshots(deps: Deps, user: Actor, installId: string): Promise<SnapshotRow[]> {
  const { install } = await ownedInstall(deps, user, installId);
  return deps.db.select().from(snapshots).where(eq(snapshots.installId, install.id)).orderBy(desc(snapshots.takenAt), desc(snapshots.snapshotId));
}

/** Queues a task of kind snapshot or restore for the install (no deployment: the version stays). */
async function queueDataTask(deps: Deps, user: Actor, installId: string, kind: 'snapshot' | 'restore', extra: { restore_snapshot?: { id: string } }) {
  const { install, hda } = await ownedInstall(deps, user, installId);
  if (install.state === 'removed') throw conflict('this install has been removed');
  const now = deps.stamp();
  const taskId = crypto.randomUUID();
  await enqueue(
    deps,
    { id: taskId, hdaId: hda.id, installId: install.id, deploymentId: null, kind, payload: { install: installInfo(install, hda), ...extra } },
    now,
    [
      auditStatement(deps.db, now, {
        ...byUser(user),
        action: `install.${kind}`,
        targetKind: 'install',
        targetId: install.id,
        detail: extra.restore_snapshot ? { snapshot: extra.restore_snapshot.id } : {},
      }),
    ],
  );
  return { taskId };
}

export function takeSnapshotNow(deps: Deps, user: Actor, installId: string) {
  return queueDataTask(deps, user, installId, 'snapshot', {});
}

export async function restoreSnapshotTask(deps: Deps, user: Actor, installId: string, snapshotId: string, confirm: boolean) {
  const { install } = await ownedInstall(deps, user, installId);
  const [snap] = await deps.db
    .select()
    .from(snapshots)
    .where(and(eq(snapshots.installId, install.id), eq(snapshots.snapshotId, snapshotId)))
    .limit(1);
  if (!snap) throw notFound('snapshot');
  if (!confirm) throw badRequest(`confirm the restore: ${dataLossWarning(snap.takenAt)}`, { warning: dataLossWarning(snap.takenAt) });
  return { ...(await queueDataTask(deps, user, installId, 'restore', { restore_snapshot: { id: snap.snapshotId } })), snapshot: snap };
}

export function snapshotView(s: SnapshotRow) {
  return {
    id: s.snapshotId,
    install_id: s.installId,
    task_id: s.taskId,
    deployment_id: s.deploymentId,
    reason: s.reason,
    taken_at: new Date(s.takenAt).toISOString(),
    size_bytes: s.sizeBytes,
    added_bytes: s.addedBytes,
    downtime_ms: s.downtimeMs,
    files: s.files,
    volumes: s.volumesJson,
  };
}
