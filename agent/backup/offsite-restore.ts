/**
 * An off-HDA snapshot put back on a replacement HDA, before the app's project first starts: the app
 * folder where this HDA keeps it, and each named volume created under the name and labels its compose
 * project expects (so Compose adopts it) and filled. Every part is staged beside its place first and
 * only then swapped in by renames, so a restore that fails or is killed leaves no half-restored part:
 * the next run puts back what was set aside (recoverSwaps) and restores again from the same snapshot.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { recoverSwaps, swapIn } from './app-data';
import { snapshotParts, volumeNameIn } from './offsite-app';
import { type ProgressSink, type RestoreMeter, restoreMeter } from './progress';
import { restore, type ResticRepo, type Snapshot } from './restic';
import { dockerRoot, LABEL_PROJECT, LABEL_VOLUME, stagingFor, volumeDataPath } from './targets';

export interface RestoreInto {
  identifier: string;
  appDir: string;
  /** The compose project the app will run as here. */
  project: string;
}

/** One path of the snapshot and where it goes on this HDA. */
interface Part {
  from: string;
  to: string;
}

/** Restores the snapshot's folder and volumes (Docker is only asked when it holds volumes); returns the volumes' names here. */
export async function restoreOffsiteApp(
  repo: ResticRepo,
  dockerOf: () => Promise<Docker>,
  snap: Snapshot,
  into: RestoreInto,
  signal?: AbortSignal,
  sink?: ProgressSink,
): Promise<string[]> {
  const found = snapshotParts(snap);
  const parts: Part[] = [];
  if (found.appPath) parts.push({ from: found.appPath, to: into.appDir });
  const names: string[] = [];
  if (found.volumes.length) {
    const docker = await dockerOf();
    const root = await dockerRoot(docker);
    for (const v of found.volumes) {
      const name = volumeNameIn(into.project, v, found.project);
      parts.push({ from: v.path, to: await ensureVolume(docker, root, name, v.key, into.project) });
      names.push(name);
    }
  }
  recoverSwaps(parts.map((p) => p.to));
  // One bar for the app: its folder and volumes restored one after the other.
  const meter = sink ? await restoreMeter(repo, snap.id, sink, into.identifier, signal) : undefined;
  try {
    for (const p of parts) await stage(repo, snap, p, signal, meter);
    for (const p of parts) swapIn(p.to, join(stagingFor(p.to).staging, p.from));
  } finally {
    for (const p of parts) rmSync(stagingFor(p.to).staging, { recursive: true, force: true });
  }
  return names;
}

/** The volume as the project expects it (created when missing), its data folder resolved; another project's volume is refused. */
async function ensureVolume(docker: Docker, root: string, name: string, key: string, project: string): Promise<string> {
  const existing = await docker
    .getVolume(name)
    .inspect()
    .catch((e: { statusCode?: number }) => {
      if (e?.statusCode === 404) return undefined;
      throw e;
    });
  if (existing && existing.Labels?.[LABEL_PROJECT] !== project)
    throw new Error(`volume ${name} already exists and belongs to ${existing.Labels?.[LABEL_PROJECT] ?? 'no compose project'}; refusing to fill it`);
  if (!existing) await docker.createVolume({ Name: name, Driver: 'local', Labels: { [LABEL_PROJECT]: project, [LABEL_VOLUME]: key } });
  const info = existing ?? (await docker.getVolume(name).inspect());
  // A volume whose data folder an interrupted swap had set aside has none until the swap is put right.
  if (!existsSync(info.Mountpoint)) recoverSwaps([info.Mountpoint]);
  if (!existsSync(info.Mountpoint)) mkdirSync(info.Mountpoint, { recursive: true });
  return volumeDataPath(root, info);
}

async function stage(repo: ResticRepo, snap: Snapshot, p: Part, signal?: AbortSignal, meter?: RestoreMeter): Promise<void> {
  const { staging } = stagingFor(p.to);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(p.to), { recursive: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  const run = () => restore(repo, snap.id, staging, { include: [p.from], signal });
  await (meter ? meter.run(staging, run) : run());
  if (!existsSync(join(staging, p.from))) throw new Error(`restoring ${p.from} from snapshot ${snap.shortId} gave nothing`);
}
