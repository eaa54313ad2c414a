/**
 * One install's data in the off-HDA repository: its app folder and its named volumes, taken with the
 * app's containers stopped for the moment it needs (as a local snapshot is), the downtime measured.
 * Each volume is named in a tag (`volume:<compose key>:<name>`) with the project (`project:<name>`),
 * so a replacement HDA creates it again under the name its own project expects.
 *
 * Backed up straight from the live data rather than by `restic copy` of the latest local snapshot:
 * the local one can be days old (it is taken before changes, not on a schedule), so a fresh one would
 * stop the app all the same, and copying between two repositories needs both passwords at once and
 * re-chunks the data unless the repositories share chunker settings.
 */
import type Docker from 'dockerode';
import type { InstallRegistry } from '../installs';
import { appDirFor } from '../executor/paths';
import { liveSlot } from '../slots';
import type { ResticStatus } from './progress';
import { quiesce, resume } from './quiesce';
import { backup, type ResticRepo, type Snapshot } from './restic';
import { dataTargets, targetPaths } from './targets';

export interface OffsiteApp {
  identifier: string;
  /** The app folder. */
  dir: string;
  /** The compose project that runs it now (its containers are stopped, its volumes backed up). */
  project: string;
}

export interface OffsiteAppReport {
  identifier: string;
  snapshot_id: string;
  bytes: number;
  added_bytes: number;
  downtime_ms: number;
  volumes: string[];
}

export const OFFSITE_TAG = 'offsite';
export const APP_TAG_PREFIX = 'app=';
export const appTag = (identifier: string) => `${APP_TAG_PREFIX}${identifier}`;
const PROJECT_PREFIX = 'project:';
const VOLUME_PREFIX = 'volume:';

/** The apps of this HDA as the off-HDA backup sees them: folder and live project of every install. */
export function offsiteApps(installs: InstallRegistry, appsRoot: string, namespace: string): OffsiteApp[] {
  return installs.list().map((r) => ({
    identifier: r.identifier,
    dir: appDirFor(appsRoot, r.identifier),
    project: liveSlot(r, namespace, r.identifier, r.host_port).project,
  }));
}

/** Backs one app up (undefined when it has no folder and no volume); its containers run again after, also when it fails. */
export async function backupApp(
  repo: ResticRepo,
  docker: Docker,
  app: OffsiteApp,
  hdaId: string,
  opts: { timeoutMs?: number; onProgress?: (s: ResticStatus) => void } = {},
): Promise<OffsiteAppReport | undefined> {
  const targets = await dataTargets(docker, app.project, app.dir);
  const paths = targetPaths(targets);
  if (paths.length === 0) return undefined;
  const tags = [OFFSITE_TAG, appTag(app.identifier), `${PROJECT_PREFIX}${app.project}`, ...targets.volumes.map((v) => `${VOLUME_PREFIX}${v.key}:${v.name}`)];
  const q = await quiesce(docker, app.project);
  let s: Awaited<ReturnType<typeof backup>>;
  try {
    s = await backup(repo, paths, { tags, host: hdaId, timeoutMs: opts.timeoutMs, onProgress: opts.onProgress });
  } finally {
    await resume(docker, q);
  }
  const downtime_ms = Date.now() - q.startedAt;
  return {
    identifier: app.identifier,
    snapshot_id: s.snapshotId,
    bytes: s.totalBytes,
    added_bytes: s.addedBytes,
    downtime_ms,
    volumes: targets.volumes.map((v) => v.name),
  };
}

export interface SnapshotVolume {
  key: string;
  /** The volume's name on the HDA that took the snapshot. */
  name: string;
  /** Its data folder there (a path in the snapshot). */
  path: string;
}

/** Docker's own rule for volume and project names. */
const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;
/** An absolute path with no `.`/`..` segment: restored under the staging folder, it cannot leave it. */
const plainAbsolute = (p: string) => p.startsWith('/') && p.split('/').every((seg, i) => (i === 0 ? seg === '' : seg !== '' && seg !== '.' && seg !== '..'));

/**
 * What an off-HDA snapshot holds: the app folder's path (if any) and each volume with its path. The
 * repository is read, not trusted: a name Docker would not take or a path that could leave the staging
 * folder is refused, naming it.
 */
export function snapshotParts(snap: Snapshot): { project?: string; appPath?: string; volumes: SnapshotVolume[] } {
  const refuse = (what: string) => new Error(`snapshot ${snap.shortId} holds ${what}: refusing to restore it`);
  const bad = snap.paths.find((p) => !plainAbsolute(p));
  if (bad !== undefined) throw refuse(`the path ${JSON.stringify(bad)}, which is not a plain absolute path`);
  const project = snap.tags.find((t) => t.startsWith(PROJECT_PREFIX))?.slice(PROJECT_PREFIX.length);
  if (project !== undefined && !DOCKER_NAME.test(project)) throw refuse(`the project name ${JSON.stringify(project)}`);
  const volumes: SnapshotVolume[] = [];
  for (const t of snap.tags.filter((x) => x.startsWith(VOLUME_PREFIX))) {
    const [key, name, ...more] = t.slice(VOLUME_PREFIX.length).split(':');
    if (more.length || !DOCKER_NAME.test(key ?? '') || !DOCKER_NAME.test(name ?? '')) throw refuse(`the volume tag ${JSON.stringify(t)}`);
    const path = snap.paths.find((p) => p.endsWith(`/${name}/_data`));
    if (!path) throw new Error(`snapshot ${snap.shortId} names volume ${t.slice(VOLUME_PREFIX.length)} but holds no data for it`);
    volumes.push({ key, name, path });
  }
  const rest = snap.paths.filter((p) => !volumes.some((v) => v.path === p));
  if (rest.length > 1) throw new Error(`snapshot ${snap.shortId} holds ${rest.join(', ')}: more than one app folder, refusing to restore it`);
  return { ...(project ? { project } : {}), ...(rest[0] ? { appPath: rest[0] } : {}), volumes };
}

/** The name a volume gets in `project`: Compose's `<project>_<key>` when it had that form, else the name it was given. */
export function volumeNameIn(project: string, old: SnapshotVolume, oldProject: string | undefined): string {
  return oldProject && old.name === `${oldProject}_${old.key}` ? `${project}_${old.key}` : old.name;
}
