/**
 * The data a failed blue/green switch shared: both slots use the app folder, so a new version that
 * wrote to it (migrated a database) before it failed leaves the old one serving on data it may not
 * read. The data as the failed switch left it is snapshotted first (live, compared file by file with
 * the snapshot taken before the switch, and kept, so nothing is lost); only when a file differs is
 * the old slot stopped for the moment the pre-switch snapshot takes to come back.
 */
import type { SnapshotReport } from '../../core/protocol';
import { installTag, restoreSnapshot, SNAPSHOT_HOST, type AppDataRef } from './app-data';
import { backup } from './restic';
import { dataTargets, targetPaths } from './targets';

export interface SharedDataOutcome {
  /** The snapshot of the data as the failed switch left it. */
  kept: string;
  restored: boolean;
  downtime_ms: number;
}

/** `ref.project` is the slot that keeps serving; `before` the snapshot taken before the switch. */
export async function putBackSharedData(ref: AppDataRef, before: SnapshotReport, taskId: string, signal?: AbortSignal): Promise<SharedDataOutcome | undefined> {
  const paths = targetPaths(await dataTargets(ref.docker, ref.project, ref.appDir));
  if (paths.length === 0) return undefined;
  const now = await backup(ref.repo, paths, {
    tags: [installTag(ref.identifier), 'reason:update', `task:${taskId}`],
    host: SNAPSHOT_HOST,
    parent: before.id,
    signal,
  });
  // Files only: the folders above the app folder change with everything else on the disk.
  const changed = now.filesNew + now.filesChanged > 0 || now.filesUnmodified !== before.files;
  if (!changed) return { kept: now.snapshotId, restored: false, downtime_ms: 0 };
  const r = await restoreSnapshot(ref, before.id, { signal });
  return { kept: now.snapshotId, restored: true, downtime_ms: r.downtime_ms };
}
