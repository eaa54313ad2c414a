/**
 * What a snapshot of one install holds: its app folder and the data of its named volumes. A volume's
 * data is read where Docker keeps it (its Mountpoint, resolved for real and required to lie under
 * Docker's root and belong to the local driver), so restic sees ordinary files and an unchanged file
 * costs nothing on the next snapshot; a side container streaming a tar would re-read everything.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import type Docker from 'dockerode';

export interface VolumeTarget {
  name: string;
  /** The volume's key in the compose file (its name without the project's prefix). */
  key: string;
  /** The volume's data folder (…/volumes/<name>/_data), resolved. */
  path: string;
}

export interface DataTargets {
  appDir?: string;
  volumes: VolumeTarget[];
}

export const LABEL_PROJECT = 'com.docker.compose.project';
export const LABEL_VOLUME = 'com.docker.compose.volume';

/** The install's app folder (when it exists) and the named volumes Compose created for its project. */
export async function dataTargets(docker: Docker, project: string, appDir: string): Promise<DataTargets> {
  const out: DataTargets = { volumes: [] };
  if (existsSync(appDir)) out.appDir = realpathSync(appDir);
  const listed = await docker.listVolumes({ filters: { label: [`${LABEL_PROJECT}=${project}`] } });
  const vols = (listed.Volumes ?? []).filter((v) => v.Labels?.[LABEL_PROJECT] === project);
  if (vols.length === 0) return out;
  const root = await dockerRoot(docker);
  for (const v of vols.sort((a, b) => a.Name.localeCompare(b.Name)))
    out.volumes.push({ name: v.Name, key: v.Labels?.[LABEL_VOLUME] ?? v.Name, path: volumeDataPath(root, v) });
  return out;
}

/** Docker's root folder, resolved. */
export async function dockerRoot(docker: Docker): Promise<string> {
  return realpathSync(((await docker.info()) as { DockerRootDir: string }).DockerRootDir);
}

/** A local volume's data folder, resolved for real and required to lie under Docker's root. */
export function volumeDataPath(root: string, v: { Name: string; Driver: string; Mountpoint: string }): string {
  if (v.Driver !== 'local') throw new Error(`volume ${v.Name} uses the ${v.Driver} driver; only local volumes can be snapshotted`);
  const real = realpathSync(v.Mountpoint);
  if (!real.startsWith(`${root}${sep}`) || !real.endsWith(`${sep}_data`))
    throw new Error(`volume ${v.Name} keeps its data at ${real}, outside Docker's root ${root}; refusing to use it`);
  return real;
}

/** Every path of the targets, in a stable order (restic picks the parent snapshot by the path set). */
export function targetPaths(t: DataTargets): string[] {
  return [...(t.appDir ? [t.appDir] : []), ...t.volumes.map((v) => v.path)];
}

/** Where a restore stages a path before swapping it in: beside it, so the swap is a rename on one filesystem. */
export function stagingFor(path: string): { staging: string; aside: string } {
  const parent = dirname(path);
  const base = path.slice(parent.length + 1);
  return { staging: `${parent}${sep}.restore-${base}`, aside: `${parent}${sep}.pre-restore-${base}` };
}
