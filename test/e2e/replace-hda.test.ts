/**
 * A dead HDA replaced on the real testbed (Docker, Compose, Apache, restic, and `rclone serve restic`
 * as the off-HDA repository on the loopback): agent A backs up an app through its executor's
 * backup-config and backup-run tasks (the app folder and its named volume, the app stopped for the
 * moment); A's containers, volume, folders and state are destroyed; agent B (a second state dir and
 * apps root), set up with A's recovery key sealed to B's own key, installs the app with the same
 * identifier and host port and its folder and volume restored from A's latest snapshot.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoveryKeyOf, secretsOfRecoveryKey, type BackupSecrets } from '../../core/backup/plan';
import { seal } from '../../core/backup/seal';
import type { ClaimedTask } from '../../core/protocol';
import { loadOrCreateHdaKey } from '../../agent/backup/hda-key';
import { loadHealth } from '../../agent/backup/offsite';
import { listeningPorts } from '../../agent/host-ports';
import { createHarness, DOMAIN, projectContainers, run, standinCompose, task, uniqueId, version, type Harness } from '../helpers/agent-harness';
import { commandWorks, requireOrSkip } from '../helpers/requirements';
import { serveRestRepo, type RestRepoServer } from '../helpers/rest-repo';
import { freePort, getThroughApache, probeTestbed } from '../helpers/testbed';

const probe = probeTestbed();
const available =
  requireOrSkip('agent testbed (Docker, Compose, Apache)', probe.ok, probe.ok ? '' : probe.reason) &&
  requireOrSkip('restic', commandWorks('restic', ['version']), 'not installed (test/testbed/up.sh installs it)') &&
  requireOrSkip('rclone', commandWorks('rclone', ['version']), 'not installed (test/testbed/up.sh installs it)');

describe.skipIf(!available)('replacing a dead HDA from its off-HDA backup', () => {
  let a: Harness;
  let b: Harness;
  let server: RestRepoServer;
  let dir: string;
  const id = uniqueId('repl');
  let port = 0;
  let secrets: BackupSecrets;
  const volume = `${id}_dbvol`;
  /** The stand-in with its app folder and a named volume mounted at /vol. */
  const compose = (image: string) => standinCompose(image, '      - dbvol:/vol\nvolumes:\n  dbvol: {}\n');
  const volumeDir = async (h: Harness) => (await h.docker.getVolume(volume).inspect()).Mountpoint;

  const explain = (h: Harness, t: ClaimedTask) =>
    `${h.client.results.get(t.id)?.detail}\n${(h.client.events.get(t.id) ?? []).map((e) => `${e.step ?? '-'} ${e.status} ${e.message}`).join('\n')}`;
  const runOk = async (h: Harness, t: ClaimedTask) => expect(await run(h, t), explain(h, t)).toBe('succeeded');
  /** What the browser does: the secrets sealed to the key this agent published. */
  const configTask = async (h: Harness, s: BackupSecrets): Promise<ClaimedTask> => {
    const key = (await loadOrCreateHdaKey(h.config.stateDir)).publicJwk;
    const backup = { repository_label: 'office REST server', every_hours: 24, retention: { daily: 7 }, sealed: await seal(key, JSON.stringify(s)) };
    return { ...(await task(h, 'backup-config', id, port)), install_id: null, payload: { backup } };
  };

  beforeAll(async () => {
    if (!probe.ok) return;
    dir = mkdtempSync(join(tmpdir(), 'replace-hda-'));
    server = await serveRestRepo(join(dir, 'served'));
    secrets = { repository: server.url, password: 'a long repository password' };
    a = await createHarness(probe.testbed);
    port = await freePort();
  });
  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
    await server?.stop();
    await a?.docker
      .getVolume(volume)
      .remove()
      .catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('agent A runs the app and backs its folder and its named volume up off the HDA, the app stopped for the moment', async () => {
    await runOk(a, await task(a, 'install', id, port, version(compose(a.tb.standinImage))));
    writeFileSync(join(a.config.appsRoot, id, 'data', 'notes.txt'), 'written on the old HDA\n');
    writeFileSync(join(await volumeDir(a), 'rows.db'), 'volume rows on the old HDA\n');
    await runOk(a, await configTask(a, secrets));
    const startedBefore = (await a.docker.getContainer(id).inspect()).State.StartedAt;
    await runOk(a, { ...(await task(a, 'backup-run', id, port)), install_id: null, payload: {} });
    const health = loadHealth(a.config.stateDir);
    expect(health).toMatchObject({ last_error: null, apps: [expect.objectContaining({ identifier: id, volumes: [volume] })] });
    expect(health?.apps?.[0].downtime_ms).toBeGreaterThanOrEqual(0);
    // Stopped for the snapshot and started again.
    const after = (await a.docker.getContainer(id).inspect()).State;
    expect(after.Running).toBe(true);
    expect(after.StartedAt).not.toBe(startedBefore);
  });

  it('after A is destroyed, agent B with the recovery key brings the app back with its data, same identifier and port', async () => {
    const recoveryKey = recoveryKeyOf(secrets);
    await a.cleanup(); // containers, vhost, app folder and state: gone
    await a.docker.getVolume(volume).remove(); // and the volume with them
    expect(existsSync(a.config.stateDir) || existsSync(join(a.config.appsRoot, id))).toBe(false);
    expect(await projectContainers(a.docker, id)).toEqual([]);

    // One host plays both machines: A's last connections to the port linger (TIME_WAIT) before a new machine would have it.
    for (let i = 0; i < 240 && (await listeningPorts()).has(port); i++) await new Promise((r) => setTimeout(r, 500));
    b = await createHarness(a.tb);
    await runOk(b, await configTask(b, secretsOfRecoveryKey(recoveryKey)));
    const install = await task(b, 'install', id, port, version(compose(b.tb.standinImage)), { restore_offsite: { host: 'hda-test' } });
    await runOk(b, install);
    const steps = (b.client.events.get(install.id) ?? []).filter((e) => e.status === 'Complete').map((e) => e.step);
    expect(steps.slice(0, 6)).toEqual(['verify', 'ports', 'render', 'policy', 'restore-offsite', 'prepare']);
    expect(readFileSync(join(b.config.appsRoot, id, 'data', 'notes.txt'), 'utf8')).toBe('written on the old HDA\n');
    const vol = await b.docker.getVolume(volume).inspect();
    expect(vol.Labels).toMatchObject({ 'com.docker.compose.project': id, 'com.docker.compose.volume': 'dbvol' });
    expect(readFileSync(join(vol.Mountpoint, 'rows.db'), 'utf8')).toBe('volume rows on the old HDA\n');
    // The app's container mounts that very volume (Compose adopted it rather than making a new one).
    const mounts = (await b.docker.getContainer(id).inspect()).Mounts;
    expect(mounts.find((m) => m.Destination === '/vol')).toMatchObject({ Type: 'volume', Name: volume });
    const [c] = await projectContainers(b.docker, id);
    expect(c.State).toBe('running');
    expect(c.Ports.map((p) => p.PublicPort)).toContain(port);
    expect((await getThroughApache(b.tb, `${id}.${DOMAIN}`)).status).toBe(200);
  });
});
