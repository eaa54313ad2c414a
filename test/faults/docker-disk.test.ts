/**
 * Faults on the HDA's side, with a task in hand:
 * - Docker stops mid-task. The agent reaches the Engine through a unix-socket proxy that the test
 *   closes (every connection dropped, the socket gone): for the agent and for docker-compose that is
 *   the daemon going away, while the shared dockerd of the testbed (and every other test's
 *   containers) stays up. The task fails with Docker named as the reason; once Docker is back, the
 *   owner's retry converges.
 * - The app folder's disk is full. The apps root is a 2 MB tmpfs filled to the last page: an install
 *   fails at prepare with the reason and leaves no half-written folder, no container and no vhost; an
 *   update (soak run) fails, the running version keeps serving and the install stays on it. Once there
 *   is room, the retry converges.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../helpers/requirements';
import { probeTestbed } from '../helpers/testbed';
import { DockerSocketProxy, FaultBed, SOAK, sleep, Tally } from './fault-kit';

const probe = probeTestbed();
const available = requireOrSkip('fault suite testbed (Docker, Compose v1, Apache)', probe.ok, probe.ok ? '' : probe.reason);

/** A 2 MB tmpfs for the apps root (mounting needs root). */
function mountTmpfs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hda-faults-disk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0755', 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot mount a tmpfs: ${(r.stderr || r.error?.message || '').trim() || `exit ${r.status}`}`);
  }
  return dir;
}

/** Fills the filesystem at `dir` to the last byte; returns the filler's path. */
function fill(dir: string): string {
  const path = join(dir, '.filler');
  const fd = openSync(path, 'w');
  try {
    for (const size of [256 * 1024, 4096, 1]) {
      const buf = Buffer.alloc(size, 0x61);
      for (;;) {
        try {
          writeSync(fd, buf);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw e;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

describe.skipIf(!available)('faults: Docker stops mid-task', () => {
  const tally = new Tally('Docker stops mid-task');
  let bed: FaultBed;
  let proxy: DockerSocketProxy;

  beforeAll(async () => {
    if (!probe.ok) return;
    proxy = new DockerSocketProxy(probe.testbed.dockerSocket);
    await proxy.start();
    bed = new FaultBed({ tb: probe.testbed, plane: { mode: 'inprocess' }, dockerSocket: proxy.path });
    await bed.setup();
  });

  afterAll(async () => {
    tally.print('the agent reaches Docker through a socket proxy that the test closes');
    await bed?.teardown();
    await proxy?.close();
  });

  const CASES: Array<{ kind: 'install' | 'uninstall'; hold: string; failsAt: string[] }> = [
    { kind: 'install', hold: 'install:up:during', failsAt: ['up', 'health'] },
    ...(SOAK
      ? [
          { kind: 'install' as const, hold: 'install:pull:before', failsAt: ['pull'] },
          { kind: 'install' as const, hold: 'install:up:before', failsAt: ['up'] },
          { kind: 'install' as const, hold: 'install:health:before', failsAt: ['health'] },
          { kind: 'uninstall' as const, hold: 'uninstall:down:before', failsAt: ['down'] },
        ]
      : []),
  ];

  for (const c of CASES) {
    it(`Docker gone at ${c.hold}: failed with the reason; after Docker is back the retry converges`, async () => {
      const slug = await bed.publish('dk');
      let installId = '';
      if (c.kind === 'uninstall') installId = (await bed.installed(slug)).installId;
      await bed.stopAgent();
      bed.startHookedAgent(c.hold);
      const taskId = c.kind === 'install' ? (await bed.install(slug)).taskId : await bed.action(installId, 'uninstall');
      if (!installId) installId = (await bed.taskView(taskId)).task.install_id!;
      await bed.waitHeld();
      await proxy.vanish();
      bed.release();
      const failed = await bed.check(`${c.hold} (Docker gone)`, taskId, installId, { state: 'failed', rerun: false });
      const view = await bed.taskView(taskId);
      if (!c.failsAt.includes(view.task.failed_step ?? '')) failed.problems.push(`failed at ${view.task.failed_step} (expected ${c.failsAt.join(' or ')})`);
      if (!/Docker daemon not reachable|docker\.sock|connect/i.test(view.task.detail ?? ''))
        failed.problems.push(`reason does not name Docker: ${view.task.detail}`);
      if (!bed.agentAlive()) failed.problems.push('the agent died');

      // Docker is back: the owner retries (update to the same version, or uninstall again).
      await proxy.start();
      const retry = await bed.action(installId, c.kind === 'install' ? 'update' : 'uninstall', c.kind === 'install' ? { version: '1.0' } : {});
      const again = await bed.check(`${c.hold} retry`, retry, installId, {
        state: 'succeeded',
        installState: c.kind === 'install' ? 'running' : 'removed',
        body: c.kind === 'install' ? 'Stand-in for web' : undefined,
        rerun: false,
      });
      tally.record(c.hold, [failed, again]);
      expect([...failed.problems, ...again.problems], bed.agentOutput()).toEqual([]);
      await bed.stopAgent();
      await bed.removeEverything(slug);
    });
  }
});

const isRoot = process.getuid?.() === 0;
const canMount = available && requireOrSkip('fault suite: disk full', isRoot, 'mounting a tmpfs for the apps root needs root');

describe.skipIf(!canMount)("faults: the app folder's disk is full", () => {
  const tally = new Tally('app folder disk full');
  let root = '';
  let bed: FaultBed;

  beforeAll(async () => {
    if (!probe.ok) return;
    root = mountTmpfs();
    bed = new FaultBed({ tb: probe.testbed, plane: { mode: 'inprocess' }, appsRoot: root });
    await bed.setup();
  });

  afterAll(async () => {
    tally.print('apps root on a 2 MB tmpfs filled to the last page');
    await bed?.teardown();
    if (root) {
      // A container just removed may hold its bind mount for a moment: retry, then detach lazily.
      for (let i = 0; i < 20 && spawnSync('umount', [root]).status !== 0; i++) await sleep(250);
      if (readFileSync('/proc/mounts', 'utf8').includes(` ${root} `)) spawnSync('umount', ['-l', root]);
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('an install on a full disk fails at prepare with the reason and leaves nothing half-made; with room again the retry converges', async () => {
    // The compose file lives in the agent's state dir: a file of the version is what needs the app folder's disk.
    const slug = await bed.publish('df', { withFile: true });
    bed.startAgent();
    const filler = fill(root);
    const { installId, taskId } = await bed.install(slug);
    const failed = await bed.check('install on a full disk', taskId, installId, { state: 'failed', rerun: false, installState: 'failed' });
    const view = await bed.taskView(taskId);
    if (view.task.failed_step !== 'prepare') failed.problems.push(`failed at ${view.task.failed_step} (expected prepare)`);
    if (!/ENOSPC|no space/i.test(view.task.detail ?? '')) failed.problems.push(`reason does not say the disk is full: ${view.task.detail}`);
    const containers = await bed.containersOf(slug);
    if (containers.length) failed.problems.push(`${containers.length} container(s) created on a full disk`);
    if (bed.vhostsOf(slug).length) failed.problems.push('a vhost was written for an app that has no folder');

    rmSync(filler);
    const retry = await bed.action(installId, 'update', { version: '1.0' });
    const again = await bed.check('install retry with room', retry, installId, {
      state: 'succeeded',
      installState: 'running',
      body: 'Stand-in for web',
      version: '1.0',
      rerun: false,
    });
    tally.record('install on a full disk', [failed, again]);
    expect([...failed.problems, ...again.problems], bed.agentOutput()).toEqual([]);
    await bed.stopAgent();
    await bed.removeEverything(slug);
  });

  it.runIf(SOAK)('an update on a full disk fails; 1.0 keeps serving and the install stays on it; with room the update converges', async () => {
    const slug = await bed.publish('du');
    const { installId } = await bed.installed(slug);
    const filler = fill(root);
    const taskId = await bed.action(installId, 'update', { version: '2.0' });
    const failed = await bed.check('update on a full disk', taskId, installId, {
      state: 'failed',
      rerun: false,
      installState: 'running',
      version: '1.0',
      body: 'Stand-in for web',
    });
    const view = await bed.taskView(taskId);
    if (view.task.failed_step !== 'prepare') failed.problems.push(`failed at ${view.task.failed_step} (expected prepare)`);
    if (!/ENOSPC|no space/i.test(view.task.detail ?? '')) failed.problems.push(`reason does not say the disk is full: ${view.task.detail}`);

    rmSync(filler);
    const retry = await bed.action(installId, 'update', { version: '2.0' });
    const again = await bed.check('update retry with room', retry, installId, {
      state: 'succeeded',
      installState: 'running',
      body: 'Stand-in for alt',
      version: '2.0',
      rerun: false,
    });
    tally.record('update on a full disk', [failed, again]);
    expect([...failed.problems, ...again.problems], bed.agentOutput()).toEqual([]);
    await bed.stopAgent();
    await bed.removeEverything(slug);
  });
});
