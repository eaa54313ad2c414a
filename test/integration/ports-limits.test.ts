/**
 * Host ports and limits on the real testbed (Docker, Compose, Apache): the control plane's tasks run
 * by the agent's executor, their results reported back. A port another program listens on (a node
 * `net` server outside the project) moves an automatic install to a free port the control plane then
 * records; an owner's taken port fails at the port check with nothing changed; a limits change
 * recreates the container with the new limits without pulling; a limit Docker refuses is put back.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimedTask } from '../../core/protocol';
import { pullImage } from '../../agent/docker/pull';
import { BASE_PORT } from '../../worker/services/installs';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, getThroughApache, probeTestbed } from '../helpers/testbed';
import { ofKind } from '../helpers/task-kind';
import { createHarness, DOMAIN, projectContainers, run, uniqueId, vhostFiles, type Harness } from '../helpers/agent-harness';
import { appCompose } from '../helpers/lifecycle';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

const probe = probeTestbed();
const available = requireOrSkip('agent testbed (Docker, Compose, Apache)', probe.ok, probe.ok ? '' : probe.reason);

describe.skipIf(!available)('host ports and limits on real Docker and Apache, through the control plane', () => {
  let h: Harness;
  let plane: TestPlane;
  let owner: { token: string };
  let hda: Awaited<ReturnType<typeof enrolledHda>>;
  const servers: Server[] = [];
  const moved = uniqueId('pm');
  const chosen = uniqueId('pc');
  let movedInstall = '';

  /** A program outside the project holding a port, as anything else on an HDA might. */
  const holdPort = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const s = createServer();
      servers.push(s);
      s.once('error', reject);
      s.listen(port, '0.0.0.0', () => resolve());
    });
  const poll = async (): Promise<ClaimedTask> => (await plane.json('GET', '/agent/v1/tasks?wait=0', { token: hda.agentToken })).body.tasks[0];
  /** Runs the task on the agent and reports its result to the control plane, as the poll loop does. */
  const runAndReport = async (t: ClaimedTask) => {
    await run(h, t, { pinnedKeys: () => hda.enroll.keys });
    const result = h.client.results.get(t.id)!;
    expect((await plane.json('POST', `/agent/v1/tasks/${t.id}/result`, { token: hda.agentToken, body: result })).status).toBe(200);
    return result;
  };
  const installOf = async (id: string) => (await plane.json('GET', `/api/installs/${id}`, { token: owner.token })).body.install;
  const lastDeployment = async (id: string) => (await plane.json('GET', `/api/installs/${id}/deployments`, { token: owner.token })).body.deployments[0];
  const container = async (project: string) => {
    const [c] = await projectContainers(h.docker, project);
    return h.docker.getContainer(c.Id).inspect();
  };
  const eventsText = (t: ClaimedTask) => (h.client.events.get(t.id) ?? []).map((e) => `${e.step ?? '-'} ${e.status} ${e.message}`).join('\n');

  beforeAll(async () => {
    if (!probe.ok) return;
    h = await createHarness(probe.testbed, { 'health-timeout': '30' });
    plane = await createTestPlane();
    owner = await plane.user('owner');
    hda = await enrolledHda(plane, owner.token, 'home', DOMAIN);
    const compose = appCompose(probe.testbed.standinImage);
    for (const slug of [moved, chosen]) {
      h.identifiers.add(slug);
      await publishApp(plane, slug, { compose });
    }
  });
  afterAll(async () => {
    await h?.cleanup();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('an automatic port another program holds: the install moves to a free one, the control plane records it, Apache serves it', async () => {
    const taken = await freePort();
    await holdPort(taken);
    await plane.deps.db.run(sql`UPDATE hdas SET next_port_seq = ${taken - BASE_PORT} WHERE id = ${hda.hdaId}`);
    const created = await plane.json('POST', `/api/hdas/${hda.hdaId}/installs`, { token: owner.token, body: { app: moved } });
    expect(created.body.install.host_port).toBe(taken);
    movedInstall = created.body.install.id;
    const t = await poll();
    const result = await runAndReport(t);
    expect(result.state, `${result.detail}\n${eventsText(t)}`).toBe('succeeded');
    expect(result.host_port).toBeGreaterThan(taken);
    expect(eventsText(t)).toContain(`host port ${taken} is used by another program on the HDA; ${moved} gets host port ${result.host_port} instead`);
    expect((await installOf(movedInstall)).host_port).toBe(result.host_port);
    const info = await container(moved);
    expect(info.HostConfig.PortBindings['80/tcp'][0].HostPort).toBe(String(result.host_port));
    const page = await getThroughApache(h.tb, `${moved}.${DOMAIN}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Stand-in');
  });

  it("an owner's port another program holds: the install fails at the port check with the words and nothing changed", async () => {
    const taken = await freePort();
    await holdPort(taken);
    const created = await plane.json('POST', `/api/hdas/${hda.hdaId}/installs`, { token: owner.token, body: { app: chosen, host_port: taken } });
    expect(created.status).toBe(201);
    const t = await poll();
    const result = await runAndReport(t);
    expect(result).toMatchObject({ state: 'failed', step: 'ports' });
    expect(result.detail).toContain(`port ${taken} is used by another program on the HDA`);
    expect(await projectContainers(h.docker, chosen)).toEqual([]);
    expect(vhostFiles(h.tb, chosen)).toEqual([]);
    expect(existsSync(join(h.config.appsRoot, chosen))).toBe(false);
    expect(h.deps.installs.get(chosen)).toBeUndefined();
    const install = await installOf(created.body.install.id);
    expect(install).toMatchObject({ state: 'failed', host_port: taken });
  });

  it('a limits change recreates the container with the new limits, without pulling', async () => {
    const before = await container(moved);
    // The premise: the app's image is on the host (another suite on this daemon may have tidied it away).
    const pulled = await h.docker
      .getImage(before.Config.Image)
      .inspect()
      .then(
        () => false,
        () => pullImage(h.docker, before.Config.Image, () => undefined).then(() => true),
      );
    // Docker's event times are whole seconds: a pull made here must fall before the window.
    if (pulled) await new Promise((r) => setTimeout(r, 1010 - (Date.now() % 1000)));
    const since = Math.floor(Date.now() / 1000) - (pulled ? 0 : 1);
    const r = await plane.json('PUT', `/api/installs/${movedInstall}/limits`, { token: owner.token, body: { cpus: 0.5, memory_mb: 128 } });
    expect(r.status).toBe(202);
    const t = await poll();
    expect(t.kind).toBe('reconfigure');
    const result = await runAndReport(t);
    expect(result.state, `${result.detail}\n${eventsText(t)}`).toBe('succeeded');
    expect((h.client.events.get(t.id) ?? []).some((e) => e.step === 'pull')).toBe(false);
    const after = await container(moved);
    expect(after.Id).not.toBe(before.Id);
    expect(after.HostConfig.NanoCpus).toBe(500_000_000);
    expect(after.HostConfig.Memory).toBe(128 * 1024 * 1024);
    const until = Math.floor(Date.now() / 1000) + 1;
    const stream = (await h.docker.getEvents({ since, until, filters: { type: ['image'], event: ['pull'] } })) as unknown as NodeJS.ReadableStream;
    let pulls = '';
    for await (const chunk of stream) pulls += chunk.toString();
    expect(pulls).toBe('');
    expect(await installOf(movedInstall)).toMatchObject({ state: 'running', limits: { cpus: 0.5, memory_mb: 128 } });
    expect(await lastDeployment(movedInstall)).toMatchObject({ action: 'limits', status: 'succeeded' });
    expect((await getThroughApache(h.tb, `${moved}.${DOMAIN}`)).status).toBe(200);
  });

  it('a limit Docker refuses (forced past the API check): the app is back on its old settings and the install says so', async () => {
    const r = await plane.json('PUT', `/api/installs/${movedInstall}/limits`, { token: owner.token, body: { cpus: 1 } });
    expect(r.status).toBe(202);
    const t = ofKind(await poll(), 'reconfigure');
    // What the API refuses, crafted into the task the agent runs: more CPUs than this host has.
    t.payload.install.limits = { cpus: 100, memory_mb: 128 };
    const result = await runAndReport(t);
    expect(result.state).toBe('failed');
    expect(result.detail, eventsText(t)).toContain('the previous settings were put back and the app runs on them');
    const info = await container(moved);
    expect(info.State.Running).toBe(true);
    expect(info.HostConfig.NanoCpus).toBe(500_000_000);
    expect((await getThroughApache(h.tb, `${moved}.${DOMAIN}`)).status).toBe(200);
    expect(await installOf(movedInstall)).toMatchObject({ state: 'running', limits: { cpus: 0.5, memory_mb: 128 } });
    const last = await lastDeployment(movedInstall);
    expect(last).toMatchObject({ action: 'limits', status: 'failed' });
    expect(last.detail).toContain('the previous settings were put back');
  });

  it('a port change moves the app and Apache to the new port', async () => {
    const to = await freePort();
    const r = await plane.json('PUT', `/api/installs/${movedInstall}/port`, { token: owner.token, body: { host_port: to } });
    expect(r.status).toBe(202);
    const t = await poll();
    const result = await runAndReport(t);
    expect(result.state, `${result.detail}\n${eventsText(t)}`).toBe('succeeded');
    expect((await container(moved)).HostConfig.PortBindings['80/tcp'][0].HostPort).toBe(String(to));
    expect((await getThroughApache(h.tb, `${moved}.${DOMAIN}`)).status).toBe(200);
    expect(await installOf(movedInstall)).toMatchObject({ state: 'running', host_port: to });
    expect(await lastDeployment(movedInstall)).toMatchObject({ action: 'port', status: 'succeeded' });
  });
});
