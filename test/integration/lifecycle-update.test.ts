/**
 * Issue 6 on the real testbed (Docker, Compose v1, Apache), through the agent's executor: limits
 * and extra environment in docker inspect, an update that pulls first and keeps the data folder, an
 * update whose new container fails its health check rolled back automatically, prune freeing the
 * failed update's image while keeping the rollback image, logs with stdout and stderr apart, a real
 * stats sample, a rollback that restores the recorded image after its tag moved, and the images of
 * an uninstalled app removed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppVersionContent, ClaimedTask } from '../../core/protocol';
import { appStatus } from '../../agent/docker/containers';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, getThroughApache, probeTestbed } from '../helpers/testbed';
import { createHarness, DOMAIN, projectContainers, run, task, uniqueId, version, type Harness } from '../helpers/agent-harness';
import { appCompose, buildVariant, FAILING_HEALTHCHECK, imageExists, logChunks, removeImagesByName, startingSteps } from '../helpers/lifecycle';

const probe = probeTestbed();
const available = requireOrSkip('agent testbed (Docker, Compose v1, Apache)', probe.ok, probe.ok ? '' : probe.reason);

describe.skipIf(!available)('update, automatic rollback, limits, logs, prune and cleanup on real Docker and Apache', () => {
  let h: Harness;
  const id = uniqueId('lc');
  const run6 = randomBytes(3).toString('hex');
  const tag = (v: string) => `${probe.ok ? probe.testbed.registry : ''}/hda-lc-${run6}/app:${v}`;
  const ids: Record<string, string> = {};
  let port = 0;
  const versions: Record<string, AppVersionContent> = {};
  const page = async () => (await getThroughApache(h.tb, `${id}.${DOMAIN}`)).body;
  const containerOf = async () => {
    const [c] = await projectContainers(h.docker, id);
    return h.docker.getContainer(c.Id).inspect();
  };
  const events = (t: ClaimedTask) => h.client.events.get(t.id) ?? [];
  const previous = async (v: string) => ({ previous: { deployment_id: `dep-${v}`, version: versions[v], signature: await h.sign(versions[v]) } });
  const mustRun = async (t: ClaimedTask) => {
    const outcome = await run(h, t);
    const r = h.client.results.get(t.id)!;
    expect(
      outcome,
      `${r.detail}\n${events(t)
        .map((e) => `${e.step ?? '-'} ${e.status} ${e.message}`)
        .join('\n')}`,
    ).toBe('succeeded');
    return r;
  };

  beforeAll(async () => {
    if (!probe.ok) return;
    h = await createHarness(probe.testbed, { 'health-timeout': '30' });
    for (const v of ['a', 'b', 'c']) ids[v] = buildVariant(probe.testbed, tag(v), `lc-${v}`);
    port = await freePort();
    versions.a = version(appCompose(tag('a'), { containerName: true }), { version: 'a' });
    versions.b = version(appCompose(tag('b'), { containerName: true, ticks: true }), { version: 'b' });
    versions.c = version(appCompose(tag('c'), { containerName: true, extra: FAILING_HEALTHCHECK }), { version: 'c' });
  });
  afterAll(async () => {
    await h?.cleanup();
    if (h) await removeImagesByName(h.docker, [tag('a'), tag('b'), tag('c'), ...Object.values(ids)]);
  });

  it("install applies the owner's CPU and memory limits and extra environment: docker inspect shows them", async () => {
    const t = await task(h, 'install', id, port, versions.a);
    t.payload.install.limits = { cpus: 0.5, memory_mb: 96 };
    t.payload.install.env = { GREETING: 'hello $USER' };
    const r = await mustRun(t);
    // Pulled from the registry: recorded by its digest; the first pull reported its bytes.
    expect(Object.keys(r.images!)).toEqual([tag('a')]);
    expect(r.images![tag('a')]).toMatch(new RegExp(`^${tag('a').split(':').slice(0, -1).join(':')}@sha256:[0-9a-f]{64}$`));
    expect(events(t).filter((e) => e.status === 'Progress').length).toBeGreaterThan(0);
    const info = await containerOf();
    expect(info.HostConfig.NanoCpus).toBe(500_000_000);
    expect(info.HostConfig.Memory).toBe(96 * 1024 * 1024);
    // Literally: Compose did not read "$USER" from the agent's environment.
    expect(info.Config.Env).toContain('GREETING=hello $USER');
    expect(await page()).toContain('Stand-in for lc-a');
    mkdirSync(join(h.config.appsRoot, id, 'data'), { recursive: true });
    writeFileSync(join(h.config.appsRoot, id, 'data', 'keep.txt'), 'user data');
  });

  it('update pulls first, then recreates; the data folder stays; limits carry over', async () => {
    const t = await task(h, 'update', id, port, versions.b, await previous('a'));
    t.payload.install.limits = { cpus: 0.5, memory_mb: 96 };
    await mustRun(t);
    // The app's data is snapshotted after the pull, before anything changes.
    expect(startingSteps(events(t))).toEqual([
      'verify',
      'render',
      'policy',
      'pull',
      'snapshot',
      'prepare',
      'mounts',
      'up',
      'health',
      'vhost',
      'reload',
      'probe',
      'images',
    ]);
    expect(await page()).toContain('Stand-in for lc-b');
    expect(readFileSync(join(h.config.appsRoot, id, 'data', 'keep.txt'), 'utf8')).toBe('user data');
    expect((await containerOf()).Image).toBe(ids.b);
    expect((await containerOf()).HostConfig.Memory).toBe(96 * 1024 * 1024);
    // The image of the deployment before stays for a rollback.
    expect(h.deps.installs.get(id)).toMatchObject({ images: { [tag('b')]: ids.b }, previous_images: { [tag('a')]: ids.a } });
    expect(await imageExists(h.docker, ids.a)).toBe(true);
  });

  it('an update whose new container fails its health check is rolled back automatically; the old page answers again', async () => {
    const t = await task(h, 'update', id, port, versions.c, await previous('b'));
    expect(await run(h, t)).toBe('failed');
    const r = h.client.results.get(t.id)!;
    expect(r.step).toBe('health');
    expect(r.detail).toMatch(
      /update failed at step health: container \S+ fails its health check.*; rolled back to b with its data as of snapshot [0-9a-f]{8}$/,
    );
    expect(r.app_state).toBe('running');
    expect(events(t).some((e) => e.status === 'Warning' && /rolling back to the previous deployment \(b\)/.test(e.message))).toBe(true);
    expect(await page()).toContain('Stand-in for lc-b');
    expect((await containerOf()).Image).toBe(ids.b);
    expect(readFileSync(join(h.config.appsRoot, id, 'data', 'keep.txt'), 'utf8')).toBe('user data');
    expect(h.deps.installs.get(id)).toMatchObject({ version: 'b', images: { [tag('b')]: ids.b }, previous_images: { [tag('a')]: ids.a } });
  });

  it('a real stats sample of the running app: CPU is not negative, memory is above zero', async () => {
    const s = await appStatus(await h.deps.docker.docker(), id);
    expect(s.state).toBe('running');
    expect(s.cpu_percent).toBeGreaterThanOrEqual(0);
    expect(s.memory_bytes).toBeGreaterThan(0);
  });

  it('logs: the last lines of each container, stdout and stderr apart', async () => {
    const t = await task(h, 'logs', id, port, undefined, { logs: { tail: 1000 } });
    await mustRun(t);
    const chunks = logChunks(events(t));
    const out = chunks.filter((c) => c.stream === 'stdout').flatMap((c) => c.lines);
    const err = chunks.filter((c) => c.stream === 'stderr').flatMap((c) => c.lines);
    expect(out).toContain('to-stdout-marker');
    expect(out.some((l) => /stand-in for lc-b serving on/.test(l))).toBe(true);
    expect(err).toContain('to-stderr-marker');
    expect(out).not.toContain('to-stderr-marker');
    expect(err).not.toContain('to-stdout-marker');
    expect(new Set(chunks.map((c) => c.container))).toEqual(new Set([id]));
  });

  it('logs with follow: the last line, then the new ones for the time asked', async () => {
    const t = await task(h, 'logs', id, port, undefined, { logs: { tail: 1, follow_s: 3 } });
    await mustRun(t);
    const ticks = logChunks(events(t))
      .filter((c) => c.stream === 'stdout')
      .flatMap((c) => c.lines)
      .map((l) => Number(/^tick (\d+)$/.exec(l)?.[1] ?? NaN));
    // One line of history, then lines printed while following, in order.
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.every((n, i) => i === 0 || n === ticks[i - 1] + 1)).toBe(true);
  });

  it('prune frees the unused image of the failed update and keeps the rollback image', async () => {
    const t = await task(h, 'prune', id, port, undefined, { prune: { keep_images: [tag('b'), ids.b, tag('a'), ids.a] } });
    delete (t.payload as { install?: unknown }).install; // HDA-wide, as the control plane sends it
    expect(await imageExists(h.docker, ids.c)).toBe(true);
    const r = await mustRun(t);
    const freed = events(t).find((e) => typeof (e.data as { bytes_freed?: number })?.bytes_freed === 'number')!.data as {
      bytes_freed: number;
      removed: string[];
    };
    expect(freed.removed).toEqual([ids.c]);
    expect(freed.bytes_freed).toBeGreaterThan(200 * 1024); // at least the variant's own random bytes
    expect(r.detail).toMatch(new RegExp(`removed 1 unused image\\(s\\); freed ${freed.bytes_freed} bytes`));
    expect(events(t).at(-1)).toMatchObject({ status: 'Finalized', data: { bytes_freed: freed.bytes_freed, removed: [ids.c] } });
    expect(await imageExists(h.docker, ids.c)).toBe(false);
    expect(await imageExists(h.docker, ids.a)).toBe(true);
    expect(await imageExists(h.docker, ids.b)).toBe(true);
  });

  it('rollback to an earlier version runs the image recorded at its deployment, even after its tag moved', async () => {
    // The registry moved tag a to other bytes since: a rollback must not run those.
    await h.docker.getImage(ids.b).tag({ repo: tag('a').slice(0, tag('a').lastIndexOf(':')), tag: 'a' });
    const t = await task(h, 'rollback', id, port, versions.a, await previous('b'));
    await mustRun(t);
    expect(events(t).some((e) => e.step === 'pull' && /names the image recorded at deploy time again/.test(e.message))).toBe(true);
    expect((await containerOf()).Image).toBe(ids.a);
    expect(await page()).toContain('Stand-in for lc-a');
  });

  it('uninstall removes the images no install uses any more; the data folder stays', async () => {
    const t = await task(h, 'uninstall', id, port);
    await mustRun(t);
    const notes = events(t)
      .filter((e) => e.step === 'images')
      .map((e) => e.message)
      .join('\n');
    expect(await imageExists(h.docker, ids.a), notes).toBe(false);
    expect(await imageExists(h.docker, ids.b), notes).toBe(false);
    expect(existsSync(join(h.config.appsRoot, id, 'data', 'keep.txt'))).toBe(true);
  });
});
