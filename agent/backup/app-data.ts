/**
 * Snapshots and restores of one install's data in a restic repository. A snapshot holds the app
 * folder and the install's named volumes, taken with the app's containers stopped, tagged with the
 * install, the reason and the task. A restore only accepts a snapshot tagged with this install whose
 * every path is one of this install's, stages all of it beside the live data first and then swaps by
 * renames: a restore that fails (a full disk) leaves the live data as it was, and a restore killed
 * mid-swap is put right by the next one (recoverSwaps).
 */
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Docker from 'dockerode';
import type { SnapshotReason, SnapshotReport } from '../../core/protocol';
import { restoreMeter, type ProgressSink, type RestoreMeter } from './progress';
import { quiesce, resume, type Quiesced } from './quiesce';
import { backup, ensureRepo, restore, snapshots, unlock, type ResticRepo, type Snapshot } from './restic';
import { dataTargets, stagingFor, targetPaths, type DataTargets } from './targets';

/** The host every snapshot is recorded under, so restic's parent choice does not follow the machine's hostname. */
export const SNAPSHOT_HOST = 'hda';

export interface AppDataRef {
  repo: ResticRepo;
  docker: Docker;
  identifier: string;
  /** The compose project whose containers and volumes are the install's. */
  project: string;
  appDir: string;
}

export interface TakeOptions {
  reason: SnapshotReason;
  taskId: string;
  /** Leave the containers stopped afterwards (a restore or an uninstall follows). */
  keepStopped?: boolean;
  /** Snapshot while the app runs (a zero-downtime switch: its packager promised two copies can share the data). */
  live?: boolean;
  onProgress?: (fraction: number, bytesDone: number, totalBytes: number) => void;
  signal?: AbortSignal;
  /** Containers an earlier, interrupted run stopped: started again with the ones stopped now. */
  alreadyStopped?: readonly string[];
  /** Told which containers are stopped before the snapshot begins (kept for a run after a crash). */
  onQuiesced?: (ids: string[]) => void;
}

export const installTag = (identifier: string) => `install:${identifier}`;

export interface Taken {
  report: SnapshotReport;
  /** With keepStopped: what was stopped, for whoever starts the app again. */
  held?: Quiesced;
}

/** Takes a snapshot; undefined when the install has no data to hold (no folder, no volumes). */
export async function takeSnapshot(ref: AppDataRef, opts: TakeOptions): Promise<Taken | undefined> {
  const targets = await dataTargets(ref.docker, ref.project, ref.appDir);
  const paths = targetPaths(targets);
  if (paths.length === 0) return undefined;
  await ensureRepo(ref.repo, { signal: opts.signal });
  await unlock(ref.repo, { signal: opts.signal });
  const stoppedNow = opts.live ? { stopped: [], startedAt: Date.now() } : await quiesce(ref.docker, ref.project);
  const q = { ...stoppedNow, stopped: [...new Set([...(opts.alreadyStopped ?? []), ...stoppedNow.stopped])] };
  opts.onQuiesced?.(q.stopped);
  let downtime = 0;
  try {
    const s = await backup(ref.repo, paths, {
      tags: [installTag(ref.identifier), `reason:${opts.reason}`, `task:${opts.taskId}`],
      host: SNAPSHOT_HOST,
      signal: opts.signal,
      onProgress: opts.onProgress ? (p) => opts.onProgress?.(p.fraction, p.bytesDone, p.totalBytes) : undefined,
    });
    downtime = opts.keepStopped ? Date.now() - q.startedAt : await resume(ref.docker, q);
    const report: SnapshotReport = {
      id: s.snapshotId,
      reason: opts.reason,
      taken_at: new Date().toISOString(),
      size_bytes: s.totalBytes,
      added_bytes: s.addedBytes,
      downtime_ms: downtime,
      files: s.filesNew + s.filesChanged + s.filesUnmodified,
      volumes: targets.volumes.map((v) => v.name),
    };
    return { report, ...(opts.keepStopped ? { held: q } : {}) };
  } catch (e) {
    await resume(ref.docker, q).catch(() => undefined);
    throw e;
  }
}

/** The snapshot `id` (full or at least 8 hex) if it is one of this install's; never another install's. */
export async function findSnapshot(ref: Pick<AppDataRef, 'repo' | 'identifier'>, id: string, signal?: AbortSignal): Promise<Snapshot> {
  if (!/^[0-9a-f]{8,64}$/.test(id)) throw new Error(`invalid snapshot id ${JSON.stringify(id).slice(0, 80)}`);
  const list = await snapshots(ref.repo, { tags: [installTag(ref.identifier)], host: SNAPSHOT_HOST }, { signal });
  const found = list.filter((s) => s.id.startsWith(id));
  if (found.length !== 1) throw new Error(`snapshot ${id.slice(0, 12)} is not a snapshot of ${ref.identifier}`);
  return found[0];
}

export interface RestoreOptions {
  signal?: AbortSignal;
  /** The containers are already stopped by the caller (it starts them again itself). */
  quiesced?: boolean;
  /** Told how far the restore is (measured, see progress.ts). */
  onProgress?: ProgressSink;
}

/**
 * Puts the install's data back as the snapshot holds it. Paths the snapshot does not hold (a volume
 * added later) are left as they are and returned in `untouched`.
 */
export async function restoreSnapshot(
  ref: AppDataRef,
  id: string,
  opts: RestoreOptions = {},
): Promise<{ snapshot: Snapshot; untouched: string[]; downtime_ms: number }> {
  await ensureRepo(ref.repo, { signal: opts.signal });
  await unlock(ref.repo, { signal: opts.signal });
  const snap = await findSnapshot(ref, id, opts.signal);
  const targets = await dataTargets(ref.docker, ref.project, ref.appDir);
  const own = ownPaths(ref, targets);
  const foreign = snap.paths.filter((p) => !own.has(p));
  if (foreign.length) throw new Error(`snapshot ${snap.shortId} holds ${foreign.join(', ')}, which is not data of ${ref.identifier}; refusing to restore it`);
  recoverSwaps(snap.paths);
  const q: Quiesced | undefined = opts.quiesced ? undefined : await quiesce(ref.docker, ref.project);
  try {
    const meter = opts.onProgress ? await restoreMeter(ref.repo, snap.id, opts.onProgress, ref.identifier, opts.signal) : undefined;
    await stageAll(ref.repo, snap, opts.signal, meter);
    for (const p of snap.paths) swapIn(p);
  } finally {
    for (const p of snap.paths) rmSync(stagingFor(p).staging, { recursive: true, force: true });
    if (q) await resume(ref.docker, q).catch(() => undefined);
  }
  const untouched = [...own].filter((p) => existsSync(p) && !snap.paths.includes(p) && p !== ref.appDir);
  return { snapshot: snap, untouched, downtime_ms: q ? Date.now() - q.startedAt : 0 };
}

/** This install's own paths: its app folder (resolved, even when missing now) and its volumes' data. */
function ownPaths(ref: AppDataRef, targets: DataTargets): Set<string> {
  const own = new Set(targetPaths(targets));
  const parent = dirname(ref.appDir);
  own.add(targets.appDir ?? (existsSync(parent) ? join(realpathSync(parent), basename(ref.appDir)) : ref.appDir));
  return own;
}

async function stageAll(repo: ResticRepo, snap: Snapshot, signal?: AbortSignal, meter?: RestoreMeter): Promise<void> {
  for (const p of snap.paths) {
    const { staging } = stagingFor(p);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    const run = () => restore(repo, snap.id, staging, { include: [p], signal });
    await (meter ? meter.run(staging, run) : run());
    if (!existsSync(join(staging, p))) throw new Error(`restoring ${p} from snapshot ${snap.shortId} gave nothing`);
  }
}

/** The staged copy takes the live path's place: live aside, staged in, aside removed. */
export function swapIn(path: string, staged = join(stagingFor(path).staging, path)): void {
  const { aside } = stagingFor(path);
  rmSync(aside, { recursive: true, force: true });
  if (existsSync(path)) renameSync(path, aside);
  renameSync(staged, path);
  rmSync(aside, { recursive: true, force: true });
}

/** After a restore was killed: a path set aside but not replaced comes back; leftovers go. */
export function recoverSwaps(paths: readonly string[]): void {
  for (const p of paths) {
    const { staging, aside } = stagingFor(p);
    if (!existsSync(p) && existsSync(aside)) renameSync(aside, p);
    rmSync(aside, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}
