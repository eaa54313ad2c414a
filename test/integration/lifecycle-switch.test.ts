/**
 * Issue 6, zero-downtime switch (blue/green) on the real testbed: an app that opts in is updated by
 * starting the new version as a second compose project on a second host port, switching the Apache
 * vhost to it with a graceful reload and only then stopping the old one. A client requesting the app
 * through Apache back to back the whole time counts zero failed requests, for a switch to the second
 * slot, for a failed update (abandoned; the old slot never stops serving) and for a switch back to
 * the install's own host port.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppVersionContent, ClaimedTask } from '../../core/protocol';
import { collectAppStates } from '../../agent/heartbeat';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, probeTestbed } from '../helpers/testbed';
import { createHarness, DOMAIN, projectContainers, run, task, uniqueId, version, type Harness } from '../helpers/agent-harness';
import { appCompose, buildVariant, FAILING_HEALTHCHECK, removeImagesByName, requestLoop, startingSteps } from '../helpers/lifecycle';

const probe = probeTestbed();
const available = requireOrSkip('agent testbed (Docker, Compose v1, Apache)', probe.ok, probe.ok ? '' : probe.reason);

describe.skipIf(!available)('zero-downtime update under a client loop, on real Docker and Apache', () => {
  let h: Harness;
  const id = uniqueId('bg');
  const host = `${id}.${DOMAIN}`;
  const runTag = randomBytes(3).toString('hex');
  const tag = (v: string) => `${probe.ok ? probe.testbed.registry : ''}/hda-bg-${runTag}/app:${v}`;
  const versions: Record<string, AppVersionContent> = {};
  let port = 0;
  let current = 'a';

  const update = async (to: string) => {
    const t: ClaimedTask = await task(h, 'update', id, port, versions[to], {
      previous: { deployment_id: `dep-${current}`, version: versions[current], signature: await h.sign(versions[current]) },
    });
    const done = run(h, t);
    const loop = await requestLoop(h.tb, host, done);
    const outcome = await done;
    return { t, outcome, loop, result: h.client.results.get(t.id)!, events: h.client.events.get(t.id) ?? [] };
  };
  const why = (u: Awaited<ReturnType<typeof update>>) =>
    `${u.result.detail}\n${JSON.stringify(u.loop.failures.slice(0, 5))}\n${u.events.map((e) => `${e.step ?? '-'} ${e.status} ${e.message}`).join('\n')}`;

  beforeAll(async () => {
    if (!probe.ok) return;
    // A short drain keeps the test quick; the switch waits for Apache's old workers that long.
    h = await createHarness(probe.testbed, { 'health-timeout': '30', 'switch-drain': '2' });
    for (const v of ['a', 'b', 'c']) buildVariant(probe.testbed, tag(v), `bg-${v}`, 64);
    versions.a = version(appCompose(tag('a'), { zeroDowntime: true }), { version: 'a' });
    versions.b = version(appCompose(tag('b'), { zeroDowntime: true }), { version: 'b' });
    versions.c = version(appCompose(tag('c'), { zeroDowntime: true, extra: FAILING_HEALTHCHECK }), { version: 'c' });
    port = await freePort();
    const t = await task(h, 'install', id, port, versions.a);
    expect(await run(h, t), h.client.results.get(t.id)?.detail).toBe('succeeded');
  });
  afterAll(async () => {
    if (!h) return;
    for (const c of await projectContainers(h.docker, `${id}_b`))
      await h.docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
    for (const n of await h.docker.listNetworks({ filters: { label: [`com.docker.compose.project=${id}_b`] } }))
      await h.docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined);
    await h.cleanup();
    await removeImagesByName(h.docker, ['a', 'b', 'c'].map(tag));
  });

  it('switches to a second project on a second port with zero failed requests, then stops the old one', async () => {
    const u = await update('b');
    expect(u.outcome, why(u)).toBe('succeeded');
    expect(u.loop.failures, why(u)).toEqual([]);
    expect(u.loop.pages).toEqual(['bg-a', 'bg-b']);
    expect(u.loop.requests).toBeGreaterThan(20);
    current = 'b';
    expect(startingSteps(u.events)).toContain('retire');
    const rec = h.deps.installs.get(id)!;
    expect(rec.slot).toBe('b');
    expect(rec.live_port).not.toBe(port);
    expect((await projectContainers(h.docker, `${id}_b`)).map((c) => c.State)).toEqual(['running']);
    expect(await projectContainers(h.docker, id)).toEqual([]);
    // The live compose file is the new slot's; the vhost proxies to its port; heartbeats say so.
    expect(readFileSync(join(h.config.stateDir, 'compose', id, 'docker-compose.yml'), 'utf8')).toContain(`127.0.0.1:${rec.live_port}:80`);
    expect(h.deps.apache.readVhost(id)).toContain(`http://127.0.0.1:${rec.live_port}/`);
    const [status] = await collectAppStates(h.deps.docker, h.deps.installs);
    expect(status).toMatchObject({ identifier: id, state: 'running', live_port: rec.live_port });
    expect(u.result.detail).toContain(`served from host port ${rec.live_port}`);
  });

  it('a new version that fails its health check is abandoned: the old slot never stops serving', async () => {
    const before = h.deps.installs.get(id)!;
    const u = await update('c');
    expect(u.outcome).toBe('failed');
    expect(u.loop.failures, why(u)).toEqual([]);
    expect(u.loop.pages).toEqual(['bg-b']);
    expect(u.result).toMatchObject({ step: 'health', app_state: 'running' });
    expect(u.result.detail).toMatch(/rolled back: the previous version kept serving from \S+_b \(blue\/green\)/);
    expect(h.deps.installs.get(id)).toMatchObject({ slot: 'b', live_port: before.live_port });
    expect(await projectContainers(h.docker, id)).toEqual([]);
    expect(existsSync(join(h.config.appsRoot, id, '.docker-compose.next.yml'))).toBe(false);
  });

  it("the next update switches back to the install's own host port, again without a failed request", async () => {
    const u = await update('a');
    expect(u.outcome, why(u)).toBe('succeeded');
    expect(u.loop.failures, why(u)).toEqual([]);
    expect(u.loop.pages).toEqual(['bg-b', 'bg-a']);
    expect(h.deps.installs.get(id)).toMatchObject({ slot: 'a', version: 'a' });
    expect(h.deps.installs.get(id)!.live_port).toBeUndefined();
    expect(await projectContainers(h.docker, `${id}_b`)).toEqual([]);
    expect(h.deps.apache.readVhost(id)).toContain(`http://127.0.0.1:${port}/`);
  });
});
