/**
 * Backups off the HDA: the plan the owner set (schedule, retention) and the secrets the agent opened
 * from the browser's sealed box, kept in the state dir (0600); one run snapshots every app's data to
 * the owner's restic repository, applies the retention, and records the repository's health. Errors
 * name the repository by its label, never by an address that could carry credentials.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { BackupSecrets } from '../../core/backup/plan';
import type { BackupHealth } from '../../core/protocol';
import { writeFileAtomic, writeJsonAtomic } from '../fs-atomic';
import type { ResticStatus } from './progress';
import { backupDir, loadHealth, loadOffsite, planFile, saveHealth, type OffsitePlan, type StoredOffsite } from './offsite-files';

export { loadHealth, loadOffsite, type OffsitePlan } from './offsite-files';
import { dueApps, forgetPolicies, nextRunAt, scheduleOf } from './app-schedule';
import { APP_TAG_PREFIX, appTag, backupApp, OFFSITE_TAG, type OffsiteApp } from './offsite-app';
import { ensureRepo, forget, ResticError, snapshots, stats, unlock, type ResticRepo } from './restic';

type Stored = StoredOffsite;

export function saveOffsite(stateDir: string, plan: OffsitePlan, secrets: BackupSecrets): void {
  mkdirSync(backupDir(stateDir), { recursive: true, mode: 0o700 });
  const stored: Stored = { ...plan, secrets: BackupSecrets.parse(secrets) };
  writeJsonAtomic(planFile(stateDir), stored, 0o600);
}

/** The restic view of the owner's repository: the password in a 0600 file, backend credentials in the environment. */
export function offsiteRepo(stateDir: string, stored: Stored): ResticRepo {
  const passwordFile = join(backupDir(stateDir), 'offsite-password');
  writeFileAtomic(passwordFile, `${stored.secrets.password}\n`, 0o600);
  return { repository: stored.secrets.repository, passwordFile, cacheDir: join(backupDir(stateDir), 'offsite-cache'), env: stored.secrets.env ?? {} };
}

/** A restic failure in words that name the repository by its label (the address stays on the HDA). */
export function namedFailure(e: unknown, stored: Pick<Stored, 'repository_label' | 'secrets'>): Error {
  if (!(e instanceof ResticError)) return e as Error;
  const text = e.message.split(stored.secrets.repository).join(stored.repository_label);
  return new ResticError(e.kind, stored.repository_label, text, e.detail.split(stored.secrets.repository).join(stored.repository_label));
}

/** Opens the owner's repository (creating it when the address holds none); a wrong password or no answer is an error naming it. */
export async function connectOffsite(stateDir: string, stored: Stored, timeoutMs = 30_000): Promise<'opened' | 'created'> {
  try {
    return await ensureRepo(offsiteRepo(stateDir, stored), { timeoutMs });
  } catch (e) {
    throw namedFailure(e, stored);
  }
}

export interface RunTarget {
  /** The HDA's id: the host of every snapshot, so a replacement HDA finds them. */
  hdaId: string;
  apps: OffsiteApp[];
  docker: Docker;
  now?: () => number;
  /** Only the apps whose own period elapsed (the timer); otherwise every app not left out ("back up now"). */
  onlyDue?: boolean;
}

type AppHealth = NonNullable<BackupHealth['apps']>[number];

/** Snapshots the due apps, then applies each app's retention by its tag; the apps' latest snapshots are returned (this run's without `at`). */
async function backupDueApps(repo: ResticRepo, stored: Stored, target: RunTarget, previous: readonly AppHealth[], opts: RunOptions): Promise<AppHealth[]> {
  const now = target.now ?? Date.now;
  const ids = target.apps.map((a) => a.identifier);
  const due = new Set(dueApps(stored, ids, previous, now(), !target.onlyDue));
  const latest: AppHealth[] = [];
  for (const app of target.apps) {
    if (!due.has(app.identifier)) {
      const kept = previous.find((a) => a.identifier === app.identifier);
      if (kept && scheduleOf(stored, app.identifier)) latest.push(kept);
      continue;
    }
    const onProgress = opts.onProgress && ((p: ResticStatus) => opts.onProgress?.(app.identifier, p));
    const r = await backupApp(repo, target.docker, app, target.hdaId, { timeoutMs: opts.timeoutMs, onProgress });
    if (r) latest.push(r);
  }
  const policies = forgetPolicies(stored, [...ids, ...(await appsInRepo(repo, target.hdaId))], target.hdaId, appTag);
  // One prune after the last forget frees what every forget released.
  for (const [i, policy] of policies.entries()) await forget(repo, policy, { prune: i === policies.length - 1 });
  return latest;
}

/** The apps this HDA has off-HDA snapshots of, by their tag (also those no longer installed). */
async function appsInRepo(repo: ResticRepo, hdaId: string): Promise<string[]> {
  const tagged = (await snapshots(repo, { host: hdaId, tags: [OFFSITE_TAG] })).flatMap((s) => s.tags);
  return [...new Set(tagged.filter((t) => t.startsWith(APP_TAG_PREFIX)).map((t) => t.slice(APP_TAG_PREFIX.length)))];
}

interface RunOptions {
  timeoutMs?: number;
  onProgress?: (identifier: string, s: ResticStatus) => void;
}

/** One run: the due apps' folders and volumes (each app stopped for its moment), then each app's retention; the health it records is returned. */
export async function runOffsiteBackup(stateDir: string, target: RunTarget, opts: RunOptions = {}): Promise<BackupHealth> {
  const stored = loadOffsite(stateDir);
  if (!stored) throw new Error('no off-HDA backup is set up on this HDA');
  const now = target.now ?? Date.now;
  const repo = offsiteRepo(stateDir, stored);
  const previous = loadHealth(stateDir);
  const base = { repository: stored.repository_label, every_hours: stored.every_hours };
  try {
    await ensureRepo(repo, { timeoutMs: opts.timeoutMs ?? 30_000 });
    await unlock(repo);
    const latest = await backupDueApps(repo, stored, target, previous?.apps ?? [], opts);
    const size = await stats(repo, { timeoutMs: opts.timeoutMs });
    const at = now();
    const ids = target.apps.map((a) => a.identifier);
    // An app's last success is the run's: its next snapshot is due its every_hours after this moment.
    const apps = latest.map((a) => (a.at ? a : { ...a, at: new Date(at).toISOString() }));
    const health: BackupHealth = {
      ...base,
      last_success_at: new Date(at).toISOString(),
      last_error: null,
      next_run_at: new Date(nextRunAt(stored, ids, apps, at)).toISOString(),
      repository_size: size.totalSize,
      snapshots: size.snapshotsCount,
      apps,
    };
    saveHealth(stateDir, health);
    return health;
  } catch (e) {
    const err = namedFailure(e, stored);
    const at = now();
    const health: BackupHealth = {
      ...base,
      last_success_at: previous?.last_success_at ?? null,
      last_error: { at: new Date(at).toISOString(), message: err.message },
      // A failed run is tried again within the hour, not a whole period later.
      next_run_at: new Date(at + Math.min(stored.every_hours, 1) * 3_600_000).toISOString(),
      repository_size: previous?.repository_size ?? null,
      snapshots: previous?.snapshots ?? null,
      ...(previous?.apps ? { apps: previous.apps } : {}),
    };
    saveHealth(stateDir, health);
    throw err;
  }
}
