/**
 * Faults of a restore, with the real restic and Docker: a disk that fills while the snapshot is staged
 * (a 12 MiB tmpfs holding the apps root) fails the restore and leaves the live data exactly as it was;
 * a restore killed between its two renames (live set aside, staged copy not yet in place) is put
 * right by the next restore; restic killed with SIGKILL mid-snapshot leaves a stale lock the next
 * snapshot clears.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreSnapshot, takeSnapshot, type AppDataRef } from '../../agent/backup/app-data';
import { localRepo } from '../../agent/backup/repo-local';
import { ensureRepo, resticEnv } from '../../agent/backup/restic';
import { stagingFor } from '../../agent/backup/targets';
import { commandWorks, requireOrSkip } from '../helpers/requirements';
import { probeTestbed } from '../helpers/testbed';

const probe = probeTestbed();
const root = process.getuid?.() === 0;
const available =
  requireOrSkip('Docker testbed', probe.ok, probe.ok ? '' : probe.reason) &&
  requireOrSkip('restic', commandWorks('restic', ['version']), 'not installed (test/testbed/up.sh installs it)') &&
  requireOrSkip('root (mounts a small tmpfs)', root, 'the disk-full case mounts a tmpfs');

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.skipIf(!available)('restore faults: full disk, a kill mid-swap, a killed restic', () => {
  let dir: string;
  let mnt: string;
  let ref: AppDataRef;
  let appDir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'restore-faults-'));
    mnt = join(dir, 'small-disk');
    mkdirSync(mnt);
    const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', mnt], { encoding: 'utf8' });
    if (m.status !== 0) throw new Error(`mount tmpfs failed: ${m.stderr}`);
    appDir = join(mnt, 'apps', 'app-one');
    mkdirSync(appDir, { recursive: true });
    writeFileSync(join(appDir, 'db'), randomBytes(7 * 1024 * 1024));
    writeFileSync(join(appDir, 'settings'), 'as snapshotted\n');
    const docker = new Docker({ socketPath: probe.ok ? probe.testbed.dockerSocket : undefined });
    ref = { repo: localRepo(join(dir, 'state')), docker, identifier: 'app-one', project: `restore-faults-${randomBytes(3).toString('hex')}`, appDir };
  });
  afterAll(() => {
    if (mnt) spawnSync('umount', [mnt]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a disk that fills while the snapshot is staged fails the restore and leaves the data as it was', async () => {
    const snap = (await takeSnapshot(ref, { reason: 'manual', taskId: 't1' }))!.report;
    writeFileSync(join(appDir, 'settings'), 'changed after\n');
    const before = sha(join(appDir, 'db'));
    await expect(restoreSnapshot(ref, snap.id)).rejects.toThrow(/no space left/i);
    expect(readFileSync(join(appDir, 'settings'), 'utf8')).toBe('changed after\n');
    expect(sha(join(appDir, 'db'))).toBe(before);
    expect(readdirSync(join(mnt, 'apps'))).toEqual(['app-one']);

    // With room for the staged copy, the same restore succeeds.
    rmSync(join(appDir, 'db'));
    const r = await restoreSnapshot(ref, snap.id);
    expect(r.snapshot.id).toBe(snap.id);
    expect(readFileSync(join(appDir, 'settings'), 'utf8')).toBe('as snapshotted\n');
    expect(sha(join(appDir, 'db'))).toBe(before);
    expect(readdirSync(join(mnt, 'apps'))).toEqual(['app-one']);
  });

  it('a restore killed between setting the live data aside and moving the staged copy in is put right by the next one', async () => {
    rmSync(join(appDir, 'db')); // small data: the full disk is the first case's
    const snap = (await takeSnapshot(ref, { reason: 'manual', taskId: 't2' }))!.report;
    // The state a kill -9 leaves between the two renames: the live folder aside, nothing in its place.
    const { aside, staging } = stagingFor(appDir);
    renameSync(appDir, aside);
    mkdirSync(staging);
    expect(existsSync(appDir)).toBe(false);
    await restoreSnapshot(ref, snap.id);
    expect(readFileSync(join(appDir, 'settings'), 'utf8')).toBe('as snapshotted\n');
    expect(existsSync(aside) || existsSync(staging)).toBe(false);
  });

  it('restic killed with SIGKILL mid-snapshot leaves a lock that the next snapshot clears', async () => {
    const big = join(dir, 'big');
    mkdirSync(big);
    for (let i = 0; i < 8; i++) writeFileSync(join(big, `f${i}`), randomBytes(8 * 1024 * 1024));
    await ensureRepo(ref.repo);
    const child = spawn('restic', ['backup', '--json', big], { env: resticEnv(ref.repo), stdio: ['ignore', 'pipe', 'ignore'] });
    // Killed once it has started writing to the repository (its first progress line).
    const started = await new Promise<boolean>((resolve) => {
      child.stdout.once('data', () => resolve(true));
      child.once('close', () => resolve(false));
    });
    expect(started, 'restic began the backup').toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    expect(readdirSync(join(ref.repo.repository, 'locks')).length).toBeGreaterThan(0);
    const again = await takeSnapshot(ref, { reason: 'manual', taskId: 't3' });
    expect(again?.report.id).toMatch(/^[0-9a-f]{64}$/);
    // The dead restic's lock is gone (a prune, which needs the repository alone, would have waited on it).
    expect(readdirSync(join(ref.repo.repository, 'locks'))).toEqual([]);
  });
});
