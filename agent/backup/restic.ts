/**
 * Drives the `restic` binary (Debian's package) for the agent's data snapshots and backups. Every call
 * is an argv array; the repository and its password file reach restic through its environment only, so
 * the password is never on a command line, in a log line or in an error. Every call has a timeout, so an
 * unreachable repository is a clear error naming it, never a hang.
 */
import { runCommand, tailLines, type RunResult } from '../exec';

export interface ResticRepo {
  /** Anything restic accepts as RESTIC_REPOSITORY: a local path, rest:http://..., sftp:..., s3:... */
  repository: string;
  /** File holding the repository password (mode 0600); restic reads it, the agent never passes the value. */
  passwordFile: string;
  /** restic's cache; defaults to restic's own (under $HOME/.cache). */
  cacheDir?: string;
  /** Extra environment for the repository's backend (e.g. AWS_ACCESS_KEY_ID for S3); never logged. */
  env?: Readonly<Record<string, string>>;
  /** The restic program; `restic` from PATH by default. */
  binary?: string;
}

export type ResticErrorKind = 'not-installed' | 'no-repository' | 'wrong-password' | 'unreachable' | 'locked' | 'no-space' | 'timeout' | 'failed';

/** A failed restic call: plain words naming the repository first, restic's own output in `detail`. */
export class ResticError extends Error {
  constructor(
    readonly kind: ResticErrorKind,
    readonly repository: string,
    message: string,
    readonly detail = '',
  ) {
    super(message);
    this.name = 'ResticError';
  }
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface BackupOptions extends CallOptions {
  /** Tags on the snapshot (letters, digits and . _ : = - only; restic splits tags on commas). */
  tags?: readonly string[];
  /** The host recorded in the snapshot (the HDA's id), so snapshots do not depend on the machine's hostname. */
  host?: string;
  /** Paths (absolute) to leave out. */
  excludes?: readonly string[];
  /** The snapshot to compare with (restic's --parent): unchanged files count as unmodified against it. */
  parent?: string;
  /** The time recorded in the snapshot instead of now (restic's --time, in UTC). */
  time?: Date;
  /** Progress as restic reports it, 0..1. */
  onProgress?: (p: { fraction: number; bytesDone: number; totalBytes: number }) => void;
}

export interface BackupSummary {
  snapshotId: string;
  /** Bytes of the files in the snapshot. */
  totalBytes: number;
  /** Bytes this snapshot added to the repository (after deduplication, before compression). */
  addedBytes: number;
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dirsNew: number;
  dirsChanged: number;
  durationSeconds: number;
}

export interface Snapshot {
  id: string;
  shortId: string;
  time: string;
  paths: string[];
  tags: string[];
  host: string;
}

export interface ForgetPolicy {
  keepLast?: number;
  keepHourly?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
  keepYearly?: number;
  /** Only snapshots carrying all these tags are considered. */
  tags?: readonly string[];
  host?: string;
}

export interface RepoStats {
  totalSize: number;
  totalFileCount: number;
  snapshotsCount: number;
}

const TAG = /^[A-Za-z0-9._:=-]{1,128}$/;
const SNAPSHOT_ID = /^(latest|[0-9a-f]{8,64})$/;
const DEFAULT_TIMEOUT_MS = 60_000;
const LONG_TIMEOUT_MS = 60 * 60_000;

/** The environment restic runs with: the repository, its password file and the backend's extra vars, nothing inherited that could name another repository or password. */
export function resticEnv(repo: ResticRepo): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    TMPDIR: process.env.TMPDIR ?? '/tmp',
    RESTIC_REPOSITORY: repo.repository,
    RESTIC_PASSWORD_FILE: repo.passwordFile,
    RESTIC_PROGRESS_FPS: '1',
    ...repo.env,
  };
  if (repo.cacheDir) env.RESTIC_CACHE_DIR = repo.cacheDir;
  return env;
}

/** Classifies restic's failure into plain words that name the repository. */
export function classifyFailure(repo: ResticRepo, what: string, r: RunResult): ResticError {
  const name = repo.repository;
  const out = `${r.stderr}\n${r.stdout}`;
  const detail = tailLines(out, 6);
  if (r.notFound) return new ResticError('not-installed', name, `${what}: restic is not installed on this HDA (install the restic package)`, detail);
  if (r.timedOut) return new ResticError('timeout', name, `${what}: restic repository ${name} did not answer in time (unreachable or too slow)`, detail);
  if (/wrong password|no key found/i.test(out)) return new ResticError('wrong-password', name, `${what}: wrong password for restic repository ${name}`, detail);
  if (/no space left on device|disk quota exceeded/i.test(out))
    return new ResticError('no-space', name, `${what}: no space left on the disk (restic repository ${name})`, detail);
  if (/repository is already locked/i.test(out))
    return new ResticError('locked', name, `${what}: restic repository ${name} is locked by another operation`, detail);
  if (/connection refused|no such host|network is unreachable|i\/o timeout|dial tcp|TLS handshake|ssh: /i.test(out))
    return new ResticError('unreachable', name, `${what}: restic repository ${name} is unreachable`, detail);
  if (/Is there a repository at the following location|config file does not exist|unable to open config file: .*(no such file|not exist)/i.test(out))
    return new ResticError('no-repository', name, `${what}: no restic repository at ${name}`, detail);
  return new ResticError('failed', name, `${what} failed for restic repository ${name}: ${detail || `exit code ${r.code}`}`, detail);
}

async function restic(repo: ResticRepo, what: string, args: readonly string[], opts: CallOptions & { onOutput?: (s: string) => void } = {}): Promise<string> {
  const r = await runCommand([repo.binary ?? 'restic', ...args], {
    env: resticEnv(repo),
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    signal: opts.signal,
    maxOutputBytes: 16 * 1024 * 1024,
    onOutput: opts.onOutput ? (chunk, stream) => stream === 'stdout' && opts.onOutput?.(chunk) : undefined,
  });
  if (r.code === 0 && !r.timedOut) return r.stdout;
  throw classifyFailure(repo, what, r);
}

function checkTags(tags: readonly string[] = []): string[] {
  for (const t of tags) if (!TAG.test(t)) throw new Error(`invalid snapshot tag ${JSON.stringify(t)} (letters, digits and . _ : = - only)`);
  return tags.flatMap((t) => ['--tag', t]);
}

function checkSnapshotId(id: string): string {
  if (!SNAPSHOT_ID.test(id)) throw new Error(`invalid snapshot id ${JSON.stringify(id)}`);
  return id;
}

/** True when a repository exists at the location and the password opens it; false when there is none. */
export async function repoExists(repo: ResticRepo, opts: CallOptions = {}): Promise<boolean> {
  try {
    await restic(repo, 'open repository', ['cat', 'config', '--no-lock'], opts);
    return true;
  } catch (e) {
    if (e instanceof ResticError && e.kind === 'no-repository') return false;
    throw e;
  }
}

/** Opens the repository, creating it first when there is none (an existing one is never re-created). */
export async function ensureRepo(repo: ResticRepo, opts: CallOptions = {}): Promise<'opened' | 'created'> {
  if (await repoExists(repo, opts)) return 'opened';
  await restic(repo, 'create repository', ['init'], opts);
  return 'created';
}

/** Removes locks left by a restic that was killed (restic only removes stale ones: dead process on this host). */
export async function unlock(repo: ResticRepo, opts: CallOptions = {}): Promise<void> {
  await restic(repo, 'unlock repository', ['unlock'], opts);
}

/** Backs up `paths` as one snapshot; returns restic's summary. */
export async function backup(repo: ResticRepo, paths: readonly string[], opts: BackupOptions = {}): Promise<BackupSummary> {
  if (paths.length === 0) throw new Error('backup: no paths given');
  for (const p of paths) if (!p.startsWith('/')) throw new Error(`backup: path must be absolute: ${p}`);
  const args = ['backup', '--json', ...checkTags(opts.tags)];
  if (opts.host) args.push('--host', checkHost(opts.host));
  for (const x of opts.excludes ?? []) args.push('--exclude', x);
  if (opts.parent) args.push('--parent', checkSnapshotId(opts.parent));
  if (opts.time) args.push('--time', resticTime(opts.time));
  args.push('--', ...paths);
  let summary: BackupSummary | undefined;
  let pending = '';
  const onLine = (line: string) => {
    const msg = parseJsonLine(line);
    if (!msg) return;
    if (msg.message_type === 'status' && opts.onProgress)
      opts.onProgress({ fraction: num(msg.percent_done), bytesDone: num(msg.bytes_done), totalBytes: num(msg.total_bytes) });
    if (msg.message_type === 'summary') summary = toSummary(msg);
  };
  const out = await restic(repo, 'snapshot', args, {
    timeoutMs: opts.timeoutMs ?? LONG_TIMEOUT_MS,
    signal: opts.signal,
    onOutput: (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    },
  });
  if (pending) onLine(pending);
  if (!summary) for (const l of out.split('\n')) onLine(l);
  if (!summary) throw new ResticError('failed', repo.repository, `snapshot: restic gave no summary for repository ${repo.repository}`, tailLines(out));
  return { ...summary, snapshotId: await fullId(repo, summary.snapshotId, opts) };
}

/** Snapshots in the repository, oldest first; filtered by tags (all must match) and host when given. */
export async function snapshots(repo: ResticRepo, filter: { tags?: readonly string[]; host?: string } = {}, opts: CallOptions = {}): Promise<Snapshot[]> {
  const args = ['snapshots', '--json'];
  if (filter.tags?.length) {
    checkTags(filter.tags);
    args.push('--tag', filter.tags.join(','));
  }
  if (filter.host) args.push('--host', checkHost(filter.host));
  const out = await restic(repo, 'list snapshots', args, opts);
  const list = JSON.parse(out || '[]') as Array<Record<string, unknown>>;
  return list.map((s) => ({
    id: String(s.id),
    shortId: String(s.short_id ?? String(s.id).slice(0, 8)),
    time: String(s.time),
    paths: (s.paths as string[]) ?? [],
    tags: (s.tags as string[]) ?? [],
    host: String(s.hostname ?? ''),
  }));
}

/**
 * Restores a snapshot into `target` (restic recreates each backed-up absolute path under it). `include`
 * limits it to some of the snapshot's paths. The caller restores into an empty staging folder and swaps.
 */
export async function restore(repo: ResticRepo, snapshotId: string, target: string, opts: CallOptions & { include?: readonly string[] } = {}): Promise<void> {
  if (!target.startsWith('/')) throw new Error(`restore: target must be absolute: ${target}`);
  const args = ['restore', checkSnapshotId(snapshotId), '--target', target];
  for (const p of opts.include ?? []) args.push('--include', p);
  await restic(repo, 'restore', args, { timeoutMs: opts.timeoutMs ?? LONG_TIMEOUT_MS, signal: opts.signal });
}

/** restic reads --time in the local time zone: written in local time, it names the same instant. */
function resticTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new Error('backup: time must be a valid date');
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Applies a retention policy; with `prune`, also frees the space of data no snapshot needs any more. */
export async function forget(repo: ResticRepo, policy: ForgetPolicy, opts: CallOptions & { prune?: boolean } = {}): Promise<void> {
  const args = forgetArgs(policy);
  if (opts.prune) args.push('--prune');
  await restic(repo, 'forget', args, { timeoutMs: opts.timeoutMs ?? LONG_TIMEOUT_MS, signal: opts.signal });
}

/** restic's argv for a forget policy (without --prune). */
export function forgetArgs(policy: ForgetPolicy): string[] {
  const args = ['forget'];
  const keep: Array<[keyof ForgetPolicy, string]> = [
    ['keepLast', '--keep-last'],
    ['keepHourly', '--keep-hourly'],
    ['keepDaily', '--keep-daily'],
    ['keepWeekly', '--keep-weekly'],
    ['keepMonthly', '--keep-monthly'],
    ['keepYearly', '--keep-yearly'],
  ];
  for (const [key, flag] of keep) {
    const n = policy[key];
    if (n === undefined) continue;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new Error(`forget: ${key} must be a whole number`);
    args.push(flag, String(n));
  }
  if (args.length === 1) throw new Error('forget: a policy must keep something (keepLast, keepDaily, ...)');
  if (policy.tags?.length)
    args.push(
      '--tag',
      checkTags(policy.tags)
        .filter((_, i) => i % 2 === 1)
        .join(','),
    );
  if (policy.host) args.push('--host', checkHost(policy.host));
  return args;
}

/** Removes the named snapshots (and, with `prune`, the data only they used). */
export async function forgetSnapshots(repo: ResticRepo, ids: readonly string[], opts: CallOptions & { prune?: boolean } = {}): Promise<void> {
  if (ids.length === 0) return;
  const args = ['forget', ...ids.map(checkSnapshotId)];
  if (opts.prune) args.push('--prune');
  await restic(repo, 'forget', args, { timeoutMs: opts.timeoutMs ?? LONG_TIMEOUT_MS, signal: opts.signal });
}

/** The repository's size on disk (raw data, after deduplication). */
export async function stats(repo: ResticRepo, opts: CallOptions = {}): Promise<RepoStats> {
  const out = await restic(repo, 'repository stats', ['stats', '--json', '--mode', 'raw-data'], opts);
  const s = JSON.parse(out) as Record<string, unknown>;
  return { totalSize: num(s.total_size), totalFileCount: num(s.total_file_count), snapshotsCount: num(s.snapshots_count) };
}

/** Bytes a restore of the snapshot writes (restic's restore size), the measure of a restore's progress. */
export async function restoreSize(repo: ResticRepo, snapshotId: string, opts: CallOptions = {}): Promise<number> {
  const out = await restic(repo, 'snapshot size', ['stats', '--json', '--mode', 'restore-size', checkSnapshotId(snapshotId)], opts);
  return num((JSON.parse(out) as Record<string, unknown>).total_size);
}

/** Verifies the repository's structure (and, with readData, every blob's content). */
export async function check(repo: ResticRepo, opts: CallOptions & { readData?: boolean } = {}): Promise<void> {
  await restic(repo, 'check repository', opts.readData ? ['check', '--read-data'] : ['check'], {
    timeoutMs: opts.timeoutMs ?? LONG_TIMEOUT_MS,
    signal: opts.signal,
  });
}

/** restic 0.14 reports a short id after a backup; the full one names the snapshot for good. */
async function fullId(repo: ResticRepo, shortId: string, opts: BackupOptions): Promise<string> {
  if (/^[0-9a-f]{64}$/.test(shortId)) return shortId;
  const list = await snapshots(repo, { tags: opts.tags, host: opts.host }, { signal: opts.signal });
  const found = list.find((s) => s.id.startsWith(shortId));
  if (!found) throw new ResticError('failed', repo.repository, `snapshot ${shortId} is not listed in restic repository ${repo.repository}`);
  return found.id;
}

function checkHost(host: string): string {
  if (!TAG.test(host)) throw new Error(`invalid snapshot host ${JSON.stringify(host)}`);
  return host;
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    return JSON.parse(t) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function toSummary(m: Record<string, unknown>): BackupSummary {
  return {
    snapshotId: String(m.snapshot_id ?? ''),
    totalBytes: num(m.total_bytes_processed),
    addedBytes: num(m.data_added),
    filesNew: num(m.files_new),
    filesChanged: num(m.files_changed),
    filesUnmodified: num(m.files_unmodified),
    dirsNew: num(m.dirs_new),
    dirsChanged: num(m.dirs_changed),
    durationSeconds: num(m.total_duration),
  };
}
