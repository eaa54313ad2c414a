/**
 * Snapshots of an install's data on the real testbed (Docker, Compose, Apache, restic), through the
 * agent's executor. The app is a stand-in whose "database" (a format marker in its app folder and in
 * a named volume) is migrated by version 2 and refused by version 1: a failed update to 2 leaves data
 * 1 cannot start on unless the data comes back with the image.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppVersionContent, ClaimedTask, SnapshotReport, TaskResultInput } from '../../core/protocol';
import { localRepo } from '../../agent/backup/repo-local';
import { restoreSnapshot } from '../../agent/backup/app-data';
import { snapshots } from '../../agent/backup/restic';
import { commandWorks, requireOrSkip } from '../helpers/requirements';
import { freePort, getThroughApache, probeTestbed } from '../helpers/testbed';
import { createHarness, DOMAIN, projectContainers, run, task, uniqueId, version, type Harness } from '../helpers/agent-harness';

const probe = probeTestbed();
const available =
  requireOrSkip('agent testbed (Docker, Compose, Apache)', probe.ok, probe.ok ? '' : probe.reason) &&
  requireOrSkip('restic', commandWorks('restic', ['version']), 'not installed (test/testbed/up.sh installs it)');

/** Version `format` of the stand-in database app: app folder ./data and named volume dbvol, both formatted. */
function dbCompose(registry: string, format: 1 | 2, failAfterMigrate = false): string {
  return `services:
  web:
    image: ${registry}/hda-standin/db:${format}
    container_name: APP_IDENTIFIER
    restart: "no"
    init: true
    ports:
      - "HOST_PORT:80"
    environment:
      STANDIN_DATA_DIRS: "/data /vol"
${failAfterMigrate ? '      STANDIN_FAIL_AFTER_MIGRATE: "1"\n' : ''}    volumes:
      - ./data:/data
      - dbvol:/vol
volumes:
  dbvol: {}
`;
}

describe.skipIf(!available)('snapshots of app data: taken before changes, restored with the image', () => {
  let h: Harness;
  const id = uniqueId('snap');
  let port = 0;
  const v: Record<string, AppVersionContent> = {};
  const results: TaskResultInput[] = [];
  const dataFile = (name: string) => join(h.config.appsRoot, id, 'data', name);
  let volumeDir = '';
  const volFile = (name: string) => join(volumeDir, name);
  const events = (t: ClaimedTask) => h.client.events.get(t.id) ?? [];
  const explain = (t: ClaimedTask) =>
    `${h.client.results.get(t.id)?.detail}\n${events(t)
      .map((e) => `${e.step ?? '-'} ${e.status} ${e.message}`)
      .join('\n')}`;
  const runTask = async (t: ClaimedTask, expected: 'succeeded' | 'failed' = 'succeeded') => {
    const outcome = await run(h, t);
    expect(outcome, explain(t)).toBe(expected);
    const r = h.client.results.get(t.id) as TaskResultInput;
    results.push(r);
    return r;
  };
  const previous = async (key: string) => ({ previous: { deployment_id: `dep-${key}`, version: v[key], signature: await h.sign(v[key]) } });
  const runningImage = async () => {
    const [c] = await projectContainers(h.docker, id);
    return { image: c.Image, state: c.State, id: c.Id };
  };

  beforeAll(async () => {
    if (!probe.ok) return;
    h = await createHarness(probe.testbed, { 'health-timeout': '20' });
    port = await freePort();
    const reg = probe.testbed.registry;
    v.one = version(dbCompose(reg, 1), { version: '1' });
    v.twoBroken = version(dbCompose(reg, 2, true), { version: '2-broken' });
    v.two = version(dbCompose(reg, 2), { version: '2' });
  });
  afterAll(async () => {
    if (!h) return;
    await h.cleanup();
    for (const vol of (await h.docker.listVolumes({ filters: { label: [`com.docker.compose.project=${id}`] } })).Volumes ?? [])
      await h.docker
        .getVolume(vol.Name)
        .remove()
        .catch(() => undefined);
  });

  it('installs version 1, which formats its folder and its named volume', async () => {
    await runTask(await task(h, 'install', id, port, v.one));
    const [vol] = (await h.docker.listVolumes({ filters: { label: [`com.docker.compose.project=${id}`] } })).Volumes ?? [];
    volumeDir = vol.Mountpoint;
    expect(readFileSync(dataFile('format'), 'utf8').trim()).toBe('1');
    expect(readFileSync(volFile('format'), 'utf8').trim()).toBe('1');
    writeFileSync(dataFile('rows'), 'rows written under version 1\n');
    writeFileSync(volFile('rows'), 'volume rows under version 1\n');
  });

  it('an update whose new version migrates the data and fails its health check puts back the image and the data', async () => {
    const t = await task(h, 'update', id, port, v.twoBroken, await previous('one'));
    const r = await runTask(t, 'failed');
    expect(r.step, explain(t)).toBe('health');
    const snap = r.snapshots?.[0] as SnapshotReport;
    expect(snap.reason).toBe('update');
    expect(snap.volumes).toEqual([`${id}_dbvol`]);
    expect(snap.size_bytes).toBeGreaterThan(0);
    expect(r.restored_snapshot, explain(t)).toBe(snap.id);
    expect(r.detail).toContain(`with its data as of snapshot ${snap.id.slice(0, 8)}`);
    // Version 2 did run and migrate (its log says so) before it failed.
    expect(explain(t)).toMatch(/migrated the data to format 2/);
    expect(r.app_state).toBe('running');
    expect((await runningImage()).image).toContain('hda-standin/db:1');
    expect(readFileSync(dataFile('format'), 'utf8').trim()).toBe('1');
    expect(readFileSync(volFile('format'), 'utf8').trim()).toBe('1');
    expect(readFileSync(volFile('rows'), 'utf8')).toBe('volume rows under version 1\n');
    expect((await getThroughApache(h.tb, `${id}.${DOMAIN}`)).body).toContain('Stand-in for db');
  });

  it('a snapshot that fails stops the update before anything changes, with the reason', async () => {
    const repo = localRepo(h.config.stateDir);
    const good = readFileSync(repo.passwordFile, 'utf8');
    const before = await runningImage();
    writeFileSync(repo.passwordFile, 'not-the-password\n');
    try {
      const r = await runTask(await task(h, 'update', id, port, v.two, await previous('one')), 'failed');
      expect(r.step).toBe('snapshot');
      expect(r.detail).toMatch(/wrong password for restic repository .*nothing was changed/);
      expect(r.detail).not.toContain(good.trim());
    } finally {
      writeFileSync(repo.passwordFile, good);
    }
    expect(await runningImage()).toEqual(before);
    expect(readFileSync(dataFile('format'), 'utf8').trim()).toBe('1');
  });

  it('takes a snapshot on demand and starts the app again, saying how long it was down', async () => {
    const r = await runTask(await task(h, 'snapshot', id, port));
    const snap = r.snapshots?.[0] as SnapshotReport;
    expect(snap.reason).toBe('manual');
    expect(snap.downtime_ms).toBeGreaterThanOrEqual(0);
    expect((await runningImage()).state).toBe('running');
    const listed = await snapshots(localRepo(h.config.stateDir), { tags: [`install:${id}`] });
    expect(listed.map((s) => s.id)).toContain(snap.id);
  });

  it('rollback to version 1 with its data as of then: without the data version 1 refuses to start', async () => {
    const up = await runTask(await task(h, 'update', id, port, v.two, await previous('one')));
    const beforeTwo = up.snapshots?.[0] as SnapshotReport;
    expect(readFileSync(dataFile('format'), 'utf8').trim()).toBe('2');
    writeFileSync(dataFile('rows'), 'rows written under version 2\n');

    const plain = await task(h, 'rollback', id, port, v.one);
    const failed = await runTask(plain, 'failed');
    expect(explain(plain)).toMatch(/refusing to start/);
    expect(failed.restored_snapshot).toBeUndefined();

    const r = await runTask(await task(h, 'rollback', id, port, v.one, { restore_snapshot: { id: beforeTwo.id } }));
    expect(r.restored_snapshot).toBe(beforeTwo.id);
    expect(r.snapshots?.[0].reason).toBe('rollback');
    expect((await runningImage()).image).toContain('hda-standin/db:1');
    expect(readFileSync(dataFile('format'), 'utf8').trim()).toBe('1');
    expect(readFileSync(dataFile('rows'), 'utf8')).toBe('rows written under version 1\n');
  });

  it('restores a snapshot on demand, and the snapshot taken just before it can undo that', async () => {
    writeFileSync(dataFile('rows'), 'changed after the snapshot\n');
    const manual = results.flatMap((r) => r.snapshots ?? []).find((s) => s.reason === 'manual') as SnapshotReport;
    const r = await runTask(await task(h, 'restore', id, port, undefined, { restore_snapshot: { id: manual.id } }));
    expect(r.restored_snapshot).toBe(manual.id);
    expect(readFileSync(dataFile('rows'), 'utf8')).toBe('rows written under version 1\n');
    expect((await runningImage()).state).toBe('running');
    const safety = r.snapshots?.[0] as SnapshotReport;
    expect(safety.reason).toBe('restore');
    const back = await runTask(await task(h, 'restore', id, port, undefined, { restore_snapshot: { id: safety.id } }));
    expect(back.restored_snapshot).toBe(safety.id);
    expect(readFileSync(dataFile('rows'), 'utf8')).toBe('changed after the snapshot\n');
  });

  it("never restores another install's snapshot", async () => {
    const manual = results.flatMap((r) => r.snapshots ?? []).find((s) => s.reason === 'manual') as SnapshotReport;
    const other = {
      repo: localRepo(h.config.stateDir),
      docker: h.docker,
      identifier: 'other-app',
      project: 'other-app',
      appDir: join(h.config.appsRoot, 'other-app'),
    };
    await expect(restoreSnapshot(other, manual.id)).rejects.toThrow(/is not a snapshot of other-app/);
    expect(existsSync(join(h.config.appsRoot, 'other-app'))).toBe(false);
    const r = await runTask(await task(h, 'restore', id, port, undefined, { restore_snapshot: { id: 'deadbeefdeadbeef' } }), 'failed');
    expect(r.step).toBe('restore');
    expect(r.detail).toMatch(/not a snapshot of/);
    expect((await runningImage()).state).toBe('running');
  });

  it('uninstall with purge takes a snapshot before deleting the data', async () => {
    const r = await runTask(await task(h, 'uninstall', id, port, undefined, { purge: true }));
    expect(r.snapshots?.[0].reason).toBe('uninstall');
    expect(existsSync(join(h.config.appsRoot, id))).toBe(false);
    const listed = await snapshots(localRepo(h.config.stateDir), { tags: [`install:${id}`, 'reason:uninstall'] });
    expect(listed).toHaveLength(1);
  });
});
