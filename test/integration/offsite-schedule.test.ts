/**
 * Per-install off-HDA schedules against a real restic repository served over the loopback: an app left
 * out gets no snapshot, an app with its own retention keeps its own count while the plan's apps keep
 * the plan's (each forget is scoped to one app's tag), and the timer backs up only the apps whose own
 * period elapsed. Older snapshots are made with restic's --time, so retention sees several days.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstallBackups } from '../../core/backup/install-backup';
import type { BackupSecrets } from '../../core/backup/plan';
import { appTag, OFFSITE_TAG, type OffsiteApp } from '../../agent/backup/offsite-app';
import { loadHealth, offsiteRepo, runOffsiteBackup, saveOffsite } from '../../agent/backup/offsite';
import { loadOffsite } from '../../agent/backup/offsite-files';
import { backup, ensureRepo, snapshots } from '../../agent/backup/restic';
import { backupDue } from '../../agent/backup/schedule';
import { commandWorks, requireOrSkip } from '../helpers/requirements';
import { serveRestRepo, type RestRepoServer } from '../helpers/rest-repo';
import { probeTestbed } from '../helpers/testbed';

const probe = probeTestbed();
const available =
  requireOrSkip('Docker testbed', probe.ok, probe.ok ? '' : probe.reason) &&
  requireOrSkip('restic', commandWorks('restic', ['version']), 'restic is not installed (test/testbed/up.sh installs it)') &&
  requireOrSkip('rclone', commandWorks('rclone', ['version']), 'rclone is not installed (test/testbed/up.sh installs it)');

const HDA_ID = '22222222-3333-4444-8555-666666666666';
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const OVERRIDES: InstallBackups = {
  notes: { mode: 'own', every_hours: 1, retention: { daily: 4 } },
  secret: { mode: 'excluded' },
};

describe.skipIf(!available)('per-install off-HDA schedules on a real repository', () => {
  let dir: string;
  let server: RestRepoServer;
  let stateDir: string;
  let apps: OffsiteApp[];
  const docker = () => new Docker({ socketPath: probe.ok ? probe.testbed.dockerSocket : undefined });
  const repo = () => offsiteRepo(stateDir, loadOffsite(stateDir)!);
  const countOf = async (identifier: string) => (await snapshots(repo(), { tags: [appTag(identifier)], host: HDA_ID })).length;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'offsite-schedule-'));
    server = await serveRestRepo(join(dir, 'served'));
    stateDir = join(dir, 'state');
    const appsRoot = join(dir, 'apps');
    apps = ['hello', 'notes', 'secret'].map((identifier) => {
      mkdirSync(join(appsRoot, identifier), { recursive: true });
      writeFileSync(join(appsRoot, identifier, 'db'), `${identifier} data\n`);
      return { identifier, dir: join(appsRoot, identifier), project: `sched-${identifier}` };
    });
    const secrets: BackupSecrets = { repository: server.url, password: 'correct horse battery staple' };
    saveOffsite(stateDir, { repository_label: 'loopback', every_hours: 24, retention: { daily: 2 }, apps: OVERRIDES }, secrets);
    await ensureRepo(repo());
    // Six earlier days of snapshots of the two backed-up apps, and of one uninstalled since (`gone`), as earlier runs would have left them.
    const gone = join(dir, 'gone');
    mkdirSync(gone);
    writeFileSync(join(gone, 'db'), 'gone data\n');
    for (const app of [...apps.slice(0, 2), { identifier: 'gone', dir: gone }])
      for (let d = 6; d >= 1; d--)
        await backup(repo(), [app.dir], { tags: [OFFSITE_TAG, appTag(app.identifier)], host: HDA_ID, time: new Date(Date.now() - d * DAY_MS) });
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("leaves the excluded app out and keeps each app's own count: the plan's daily 2 (also for an app gone since), notes' own daily 4", async () => {
    const health = await runOffsiteBackup(stateDir, { hdaId: HDA_ID, apps, docker: docker() });
    expect(await countOf('secret')).toBe(0);
    expect(await countOf('hello')).toBe(2);
    expect(await countOf('notes')).toBe(4);
    // An app no longer installed keeps what the plan keeps, not every snapshot forever.
    expect(await countOf('gone')).toBe(2);
    expect(health.apps?.map((a) => a.identifier).sort()).toEqual(['hello', 'notes']);
    expect(health.apps?.every((a) => a.at === health.last_success_at)).toBe(true);
    // The soonest app (notes, every hour) sets the next run.
    expect(Date.parse(health.next_run_at!) - Date.parse(health.last_success_at!)).toBe(HOUR_MS);
  });

  it('the timer backs up only the apps whose own period elapsed, and keeps the others last snapshots in the health', async () => {
    const before = loadHealth(stateDir)!;
    const later = Date.parse(before.last_success_at!) + 2 * HOUR_MS;
    expect(backupDue(stateDir, later)).toBe(true);
    const health = await runOffsiteBackup(stateDir, { hdaId: HDA_ID, apps, docker: docker(), now: () => later, onlyDue: true });
    const snap = (h: typeof health, id: string) => h.apps?.find((a) => a.identifier === id);
    expect(snap(health, 'hello')).toEqual(snap(before, 'hello'));
    expect(snap(health, 'notes')?.snapshot_id).not.toBe(snap(before, 'notes')?.snapshot_id);
    expect(snap(health, 'notes')?.at).toBe(new Date(later).toISOString());
    expect(await countOf('secret')).toBe(0);
    expect(await countOf('hello')).toBe(2);
    expect(await countOf('notes')).toBe(4);
  });
});
