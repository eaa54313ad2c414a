/**
 * Host ports and resource limits through the API: an owner's port on install and later, limits
 * checked against the HDA's facts with independent fields, one `reconfigure` task per change with a
 * `limits` or `port` deployment, and the port the agent actually used recorded on the install.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string; id: string };
beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
});

const poll = (agentToken: string) => plane.json('GET', '/agent/v1/tasks?wait=0', { token: agentToken });
const report = (agentToken: string, taskId: string, state: 'succeeded' | 'failed', extra: Record<string, unknown> = {}) =>
  plane.json('POST', `/agent/v1/tasks/${taskId}/result`, { token: agentToken, body: { state, detail: state, app_state: 'running', ...extra } });
const GB = 1024 ** 3;

/** An HDA with 2 CPUs and 4 GB (as its heartbeat says) and `app` installed and running. */
async function installed(app = 'hello', body: Record<string, unknown> = {}, compose?: string) {
  await publishApp(plane, app, { compose });
  const hda = await enrolledHda(plane, owner.token);
  await plane.json('POST', '/agent/v1/heartbeat', { token: hda.agentToken, body: { facts: { cpus: 2, memory_bytes: 4 * GB } } });
  const created = await plane.json('POST', `/api/hdas/${hda.hdaId}/installs`, { token: owner.token, body: { app, ...body } });
  expect(created.status).toBe(201);
  const task = (await poll(hda.agentToken)).body.tasks[0];
  return { ...hda, installId: created.body.install.id as string, task, port: created.body.install.host_port as number };
}

async function running(app = 'hello') {
  const i = await installed(app);
  await report(i.agentToken, i.task.id, 'succeeded');
  return i;
}

const limits = (installId: string, body: unknown, token = owner.token) => plane.json('PUT', `/api/installs/${installId}/limits`, { token, body });
const port = (installId: string, host_port: unknown, token = owner.token) =>
  plane.json('PUT', `/api/installs/${installId}/port`, { token, body: { host_port } });
const installOf = async (id: string) => (await plane.json('GET', `/api/installs/${id}`, { token: owner.token })).body.install;

describe('limits', () => {
  it('refuses more CPUs or memory than the HDA has, naming the figure, and queues nothing', async () => {
    const i = await running();
    const cpus = await limits(i.installId, { cpus: 100 });
    expect(cpus.status).toBe(400);
    expect(cpus.body.message).toBe('home has 2 CPUs; a limit of 100 CPUs cannot be given. Choose 2 or fewer.');
    const mem = await limits(i.installId, { memory_mb: 8192 });
    expect(mem.status).toBe(400);
    expect(mem.body.message).toBe('home has 4096 MB of memory; a limit of 8192 MB cannot be given. Choose 4096 MB or less.');
    expect((await poll(i.agentToken)).status).toBe(204);
    expect((await limits(i.installId, { cpus: 2, memory_mb: 4096 })).status).toBe(202);
  });

  it('queues one reconfigure task with a limits deployment; the install records the limits only once applied', async () => {
    const i = await running();
    const r = await limits(i.installId, { cpus: 1.5 });
    expect(r.status).toBe(202);
    expect(r.body.deployment.action).toBe('limits');
    const t = (await poll(i.agentToken)).body.tasks[0];
    expect(t.kind).toBe('reconfigure');
    expect(t.payload.reconfigure).toEqual({ change: 'limits' });
    expect(t.payload.install.limits).toEqual({ cpus: 1.5 });
    expect(t.payload.previous).toBeUndefined();
    expect((await installOf(i.installId)).limits).toEqual({});
    await report(i.agentToken, t.id, 'succeeded');
    const after = await installOf(i.installId);
    expect(after.limits).toEqual({ cpus: 1.5 });
    expect(after.state).toBe('running');
    const history = (await plane.json('GET', `/api/installs/${i.installId}/deployments`, { token: owner.token })).body.deployments;
    expect(history.map((d: { action: string; status: string }) => `${d.action}:${d.status}`)).toEqual(['limits:succeeded', 'install:succeeded']);
    // A limits change is not a version: the current deployment stays the install.
    expect(after.current_deployment_id).toBe(history[1].id);
  });

  it('keeps a field that is absent and clears a field that is null', async () => {
    const i = await running();
    const apply = async (body: unknown) => {
      expect((await limits(i.installId, body)).status).toBe(202);
      const t = (await poll(i.agentToken)).body.tasks[0];
      await report(i.agentToken, t.id, 'succeeded');
      return t.payload.install.limits;
    };
    expect(await apply({ cpus: 1, memory_mb: 512 })).toEqual({ cpus: 1, memory_mb: 512 });
    expect(await apply({ memory_mb: 256 })).toEqual({ cpus: 1, memory_mb: 256 });
    expect(await apply({ cpus: null })).toEqual({ memory_mb: 256 });
    expect((await installOf(i.installId)).limits).toEqual({ memory_mb: 256 });
  });

  it('a failed reconfigure whose restore worked leaves the install running on the limits it had', async () => {
    const i = await running();
    await limits(i.installId, { cpus: 1 });
    const t = (await poll(i.agentToken)).body.tasks[0];
    await report(i.agentToken, t.id, 'failed', {
      step: 'up',
      detail: 'reconfigure failed at step up: x; the previous settings were put back and the app runs on them',
    });
    const after = await installOf(i.installId);
    expect(after).toMatchObject({ state: 'running', limits: {} });
  });

  it('a failed reconfigure that left the app down marks the install failed', async () => {
    const i = await running();
    await limits(i.installId, { cpus: 1 });
    const t = (await poll(i.agentToken)).body.tasks[0];
    await report(i.agentToken, t.id, 'failed', {
      step: 'up',
      app_state: 'exited',
      detail: 'reconfigure failed at step up: x; putting back the previous settings failed too at up: y',
    });
    expect((await installOf(i.installId)).state).toBe('failed');
  });

  it("another owner's install is not found", async () => {
    const i = await running();
    const other = await plane.user('owner');
    expect((await limits(i.installId, { cpus: 1 }, other.token)).status).toBe(404);
    expect((await port(i.installId, 40000, other.token)).status).toBe(404);
  });
});

describe('settings and versions queued together', () => {
  it('refuses a settings change while a task of the app is still to do, and an update while a settings change is', async () => {
    const i = await installed();
    const early = await limits(i.installId, { cpus: 1 });
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/still has a task to do \(install\)/);
    await report(i.agentToken, i.task.id, 'succeeded');
    expect((await limits(i.installId, { cpus: 1 })).status).toBe(202);
    await publishApp(plane, 'hello', { version: '2.0', token: await plane.login(ADMIN.email, ADMIN.password) });
    const update = await plane.json('POST', `/api/installs/${i.installId}/actions`, { token: owner.token, body: { action: 'update', version: '2.0' } });
    expect(update.status).toBe(409);
    expect(update.body.message).toMatch(/settings change/);
  });
});

describe('host ports', () => {
  it('an owner may choose the port on install: the agent is told never to move it', async () => {
    const i = await installed('hello', { host_port: 8089 });
    expect(i.port).toBe(8089);
    expect(i.task.payload.install).toMatchObject({ host_port: 8089, port_fixed: true });
  });

  it('refuses a port out of range or held by another install (409), naming the holder', async () => {
    const a = await running('hello');
    await publishApp(plane, 'world');
    for (const bad of [80, 1023, 65536, 3.5, '8080']) {
      const r = await plane.json('POST', `/api/hdas/${a.hdaId}/installs`, { token: owner.token, body: { app: 'world', host_port: bad } });
      expect(r.status, String(bad)).toBe(400);
    }
    const taken = await plane.json('POST', `/api/hdas/${a.hdaId}/installs`, { token: owner.token, body: { app: 'world', host_port: a.port } });
    expect(taken.status).toBe(409);
    expect(taken.body.message).toBe(`port ${a.port} is already used by hello on this HDA; choose another port`);
    expect((await port(a.installId, 1000)).status).toBe(400);
  });

  it('automatic installs tell the agent the ports the others hold and record the port the agent moved to', async () => {
    const a = await running('hello');
    await publishApp(plane, 'world');
    const b = await plane.json('POST', `/api/hdas/${a.hdaId}/installs`, { token: owner.token, body: { app: 'world' } });
    const t = (await poll(a.agentToken)).body.tasks[0];
    expect(t.payload.ports).toEqual({ held: [a.port], from: 35001, to: 65535 });
    expect(t.payload.install.port_fixed).toBeUndefined();
    await report(a.agentToken, t.id, 'succeeded', { host_port: 35077 });
    expect((await installOf(b.body.install.id)).host_port).toBe(35077);
  });

  it('a port the agent reports that another install holds is a failed task with words, never a 500', async () => {
    const a = await running('hello');
    await publishApp(plane, 'world');
    const b = await plane.json('POST', `/api/hdas/${a.hdaId}/installs`, { token: owner.token, body: { app: 'world' } });
    const t = (await poll(a.agentToken)).body.tasks[0];
    const r = await report(a.agentToken, t.id, 'succeeded', { host_port: a.port });
    expect(r.status).toBe(200);
    const task = (await plane.json('GET', `/api/tasks/${t.id}`, { token: owner.token })).body.task;
    expect(task.state).toBe('failed');
    expect(task.detail).toContain(`host port ${a.port}, but another install of this HDA holds that port`);
    expect((await installOf(b.body.install.id)).host_port).toBe(b.body.install.host_port);
  });

  it('an install after a moved one never gets the port the agent moved to', async () => {
    const a = await installed('hello');
    await report(a.agentToken, a.task.id, 'succeeded', { host_port: a.port + 1 });
    await publishApp(plane, 'world');
    const b = await plane.json('POST', `/api/hdas/${a.hdaId}/installs`, { token: owner.token, body: { app: 'world' } });
    expect(b.status).toBe(201);
    expect(b.body.install.host_port).toBe(a.port + 2);
  });

  it('PUT /port queues a reconfigure with a port deployment; the install takes the port when applied', async () => {
    const i = await running();
    const r = await port(i.installId, 40123);
    expect(r.status).toBe(202);
    expect(r.body.deployment.action).toBe('port');
    const t = (await poll(i.agentToken)).body.tasks[0];
    expect(t.kind).toBe('reconfigure');
    expect(t.payload.install).toMatchObject({ host_port: 40123, port_fixed: true });
    expect((await installOf(i.installId)).host_port).toBe(i.port);
    await report(i.agentToken, t.id, 'succeeded', { host_port: 40123 });
    const after = await installOf(i.installId);
    expect(after).toMatchObject({ host_port: 40123, state: 'running', overrides: { port_fixed: true } });
  });

  it('a first install that failed at the port check takes the new port and is tried again on it', async () => {
    const i = await installed('hello', { host_port: 8089 });
    await report(i.agentToken, i.task.id, 'failed', {
      step: 'ports',
      app_state: 'missing',
      detail: 'install failed at step ports: port 8089 is used by another program on the HDA',
    });
    expect((await installOf(i.installId)).state).toBe('failed');
    const r = await port(i.installId, 8090);
    expect(r.status).toBe(202);
    expect(r.body.deployment.action).toBe('install');
    const t = (await poll(i.agentToken)).body.tasks[0];
    expect(t.kind).toBe('install');
    expect(t.payload.install).toMatchObject({ host_port: 8090, port_fixed: true });
    expect(await installOf(i.installId)).toMatchObject({ host_port: 8090, state: 'installing' });
  });

  it("PUT /port refuses another install's port and the port it already has", async () => {
    const a = await running('hello');
    await publishApp(plane, 'world');
    const b = await plane.json('POST', `/api/hdas/${a.hdaId}/installs`, { token: owner.token, body: { app: 'world' } });
    expect((await port(a.installId, b.body.install.host_port)).status).toBe(409);
    expect((await port(a.installId, a.port)).status).toBe(409);
  });
});

describe('ports published on purpose', () => {
  it('the install lists the host ports its version publishes besides the web port (which only Apache reaches)', async () => {
    const compose = 'services:\n  web:\n    image: x\n    ports:\n      - "HOST_PORT:80"\n      - "2224:22"\n';
    const i = await installed('withssh', {}, compose);
    const detail = (await plane.json('GET', `/api/installs/${i.installId}`, { token: owner.token })).body;
    expect(detail.published_ports).toEqual([{ service: 'web', host: '2224', container: '22', protocol: 'tcp' }]);
  });
});
