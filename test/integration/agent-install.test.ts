/**
 * The agent's executor against the real testbed: Docker Engine, Compose v1, the local registry and a
 * private Apache. Install a stand-in app, reach it through Apache by Host header, run the same task
 * again (converges), stop/start/restart, uninstall (with and without purge).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, getThroughApache, probeTestbed } from '../helpers/testbed';
import { createHarness, DOMAIN, projectContainers, run, standinCompose, task, uniqueId, version, vhostFiles, type Harness } from '../helpers/agent-harness';
import { appStatus } from '../../agent/docker/containers';

const probe = probeTestbed();
const available = requireOrSkip('agent testbed (Docker, Compose v1, Apache)', probe.ok, probe.ok ? '' : probe.reason);

describe.skipIf(!available)('agent install against real Docker, Compose and Apache', () => {
  let h: Harness;
  const id = uniqueId('web');
  let port: number;
  let installTask: Awaited<ReturnType<typeof task>>;

  beforeAll(async () => {
    if (!probe.ok) return;
    h = await createHarness(probe.testbed);
    port = await freePort();
    // Start from an image that is not on the host, so the pull (with byte progress) really happens.
    await h.docker
      .getImage(probe.testbed.standinImagePull)
      .remove({ force: true })
      .catch(() => undefined);
    installTask = await task(h, 'install', id, port, version(standinCompose(probe.testbed.standinImagePull)));
  });
  afterAll(async () => h?.cleanup());

  it('installs: pulls with progress, starts the container, writes the vhost, answers through Apache', async () => {
    expect(await run(h, installTask)).toBe('succeeded');
    const events = h.client.events.get(installTask.id)!;
    const steps = events.filter((e) => e.status === 'Starting').map((e) => e.step);
    expect(steps).toEqual(['verify', 'ports', 'render', 'policy', 'prepare', 'pull', 'mounts', 'up', 'health', 'vhost', 'reload', 'probe']);
    const progress = events.filter((e) => e.status === 'Progress');
    expect(progress.length).toBeGreaterThan(0);
    const last = progress.at(-1)!.data as { current: number; total: number };
    expect(last.total).toBeGreaterThan(100_000); // busybox is ~2 MB
    expect(last.current).toBe(last.total);
    expect(events.at(-1)!.status).toBe('Finalized');

    const page = await getThroughApache(h.tb, `${id}.${DOMAIN}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Stand-in for pull');
    expect(page.body).toContain(`host: ${id}.${DOMAIN}`);

    const containers = await projectContainers(h.docker, id);
    expect(containers).toHaveLength(1);
    expect(containers[0].Labels['org.amahi.hda.managed-by']).toBe('hda-agent');
    expect(containers[0].Labels['org.amahi.hda.identifier']).toBe(id);
    const appDir = join(h.config.appsRoot, id);
    for (const p of ['html', 'logs', 'data']) expect(existsSync(join(appDir, p))).toBe(true);
    // Compose runs the file in the agent's state dir (root only), never one in the app folder.
    expect(existsSync(join(appDir, 'docker-compose.yml'))).toBe(false);
    const composeFile = join(h.config.stateDir, 'compose', id, 'docker-compose.yml');
    expect(statSync(composeFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(composeFile, 'utf8')).toContain(`"127.0.0.1:${port}:80"`);
    expect(readFileSync(composeFile, 'utf8')).toContain(`${appDir}/data:/data`);
    expect(containers[0].Labels['com.docker.compose.project.config_files']).toBe(composeFile);
    expect(vhostFiles(h.tb, id)).toEqual([`hda-app-${id}.conf`]);
    // Apache logs the app's traffic in its own root-owned folder, not in the app folder a container may be given.
    expect(readFileSync(join(h.tb.apacheLogDir, 'hda-apps', id, 'access_log'), 'utf8')).toContain('GET / ');
    expect(existsSync(join(appDir, 'logs', 'access_log'))).toBe(false);
    expect(h.client.results.get(installTask.id)).toMatchObject({ state: 'succeeded', app_state: 'running' });
    expect(h.client.results.get(installTask.id)!.rendered_compose).toContain('org.amahi.hda.managed-by');
  });

  it('a host with no app for the name does not serve this app', async () => {
    const other = await getThroughApache(h.tb, `nothing-here.${DOMAIN}`);
    expect(other.body).not.toContain('Stand-in');
  });

  it('running the same install task again converges: same container, one vhost', async () => {
    const before = (await projectContainers(h.docker, id)).map((c) => c.Id);
    expect(await run(h, installTask)).toBe('succeeded');
    const after = await projectContainers(h.docker, id);
    expect(after.map((c) => c.Id)).toEqual(before);
    expect(vhostFiles(h.tb, id)).toEqual([`hda-app-${id}.conf`]);
    // The re-run continued the task's sequence: no seq used twice, none skipped.
    const seqs = h.client.seqs(installTask.id);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(h.journal.get(installTask.id)).toBeUndefined();
    expect((await getThroughApache(h.tb, `${id}.${DOMAIN}`)).status).toBe(200);
  });

  it('reports per-app state for heartbeats', async () => {
    const s = await appStatus(h.docker, id);
    expect(s.state).toBe('running');
    expect(s.memory_bytes).toBeGreaterThan(0);
    expect(typeof s.cpu_percent).toBe('number');
  });

  it('stop, start and restart act on the app and are seen through Apache', async () => {
    expect(await run(h, await task(h, 'stop', id, port))).toBe('succeeded');
    expect((await projectContainers(h.docker, id))[0].State).toBe('exited');
    expect((await getThroughApache(h.tb, `${id}.${DOMAIN}`)).status).toBe(503);
    expect(h.deps.installs.get(id)!.desired).toBe('stopped');

    expect(await run(h, await task(h, 'start', id, port))).toBe('succeeded');
    expect((await getThroughApache(h.tb, `${id}.${DOMAIN}`)).body).toContain('Stand-in for pull');

    const restart = await task(h, 'restart', id, port);
    expect(await run(h, restart)).toBe('succeeded');
    expect(
      h.client.events
        .get(restart.id)!
        .filter((e) => e.status === 'Starting')
        .map((e) => e.step),
    ).toEqual(['restart', 'health', 'probe']);
    expect(await projectContainers(h.docker, id)).toHaveLength(1);
  });

  it('uninstall removes the vhost and the containers and keeps the data folder', async () => {
    const t = await task(h, 'uninstall', id, port);
    expect(await run(h, t)).toBe('succeeded');
    expect(await projectContainers(h.docker, id)).toHaveLength(0);
    expect(vhostFiles(h.tb, id)).toEqual([]);
    expect((await getThroughApache(h.tb, `${id}.${DOMAIN}`)).body).not.toContain('Stand-in');
    expect(existsSync(join(h.config.appsRoot, id, 'data'))).toBe(true);
    expect(existsSync(join(h.config.stateDir, 'compose', id))).toBe(false);
    expect(h.client.results.get(t.id)).toMatchObject({ state: 'succeeded', app_state: 'removed' });
    expect(h.deps.installs.get(id)).toBeUndefined();
    // Uninstalling again converges too.
    expect(await run(h, await task(h, 'uninstall', id, port))).toBe('succeeded');
  });

  it('uninstall with purge deletes the app folder', async () => {
    const pid = uniqueId('purge');
    const p = await freePort();
    expect(await run(h, await task(h, 'install', pid, p, version(standinCompose(h.tb.standinImage))))).toBe('succeeded');
    expect(await run(h, await task(h, 'uninstall', pid, p, undefined, { purge: true }))).toBe('succeeded');
    expect(existsSync(join(h.config.appsRoot, pid))).toBe(false);
    expect(await projectContainers(h.docker, pid)).toHaveLength(0);
  });
});
