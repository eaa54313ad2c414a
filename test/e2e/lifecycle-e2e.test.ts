/**
 * Issue 6 end to end: the control plane (Node) + `hda-agent` child processes + real Docker, Compose
 * and Apache. Rollback to two deployments ago through the API restores that version's page; a logs
 * request is answered while an update is still running; a fleet batch across three enrolled agents
 * (each with its own state dir, apps root, namespace, domain and host ports on this one Docker host)
 * reports per-HDA results, carries a per-HDA environment value, and the HDA that was offline when the
 * batch started completes once its agent comes up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_TASK_STATES, isOneOf, type TaskEvent } from '../../core/protocol';
import { hdas } from '../../db/schema';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, getThroughApache, probeTestbed, removeComposeProject, type Testbed } from '../helpers/testbed';
import { runAgentCommand, startAgent, type AgentProcess, testbedAgentEnv } from '../helpers/agent-process';
import { logChunks } from '../helpers/lifecycle';
import type { ControlPlane } from '../../worker/node-server';

const probe = probeTestbed();
const available = requireOrSkip('agent testbed (Docker, Compose v1, Apache)', probe.ok, probe.ok ? '' : probe.reason);

interface TaskView {
  task: { id: string; state: string; detail?: string | null; kind: string };
  events: TaskEvent[];
}
interface BatchView {
  batch: { id: string; state: string };
  items: Array<{ hda_id: string; hda_name: string; state: string; action: string | null; detail: string | null; install_id: string | null }>;
}

/** A stand-in whose page names `label`; `$$GREETING` reaches the shell as `$GREETING` (per-HDA value). */
function compose(image: string, label: string, slowStartS = 0): string {
  return `services:
  web:
    image: ${image}
    init: true
    stop_signal: SIGKILL
    environment:
      GREETING: hello
    entrypoint: ["/bin/sh", "-c", "echo starting ${label}; sleep ${slowStartS}; STANDIN_APP=\\"${label} $$GREETING\\" exec /bin/sh /standin.sh"]
    ports:
      - "HOST_PORT:80"
`;
}

describe.skipIf(!available)('lifecycle end to end: rollback through the API, logs beside an update, fleet batch', () => {
  const tb = (probe.ok ? probe.testbed : null) as Testbed;
  const run = randomBytes(3).toString('hex');
  const app = `lc-${run}`;
  const fleetApp = `fleet-${run}`;
  const docker = new Docker({ socketPath: tb?.dockerSocket ?? '/var/run/docker.sock' });
  const dirs: string[] = [];
  const agents: AgentProcess[] = [];
  const projects: string[] = [];
  const vhosts: string[] = [];
  let plane: ControlPlane;
  let token = '';

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, plane.url), {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  const agentLog = () => agents.flatMap((a) => a.output.slice(-40)).join('\n');

  async function waitFor<T>(what: string, get: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await get();
      if (done(v)) return v;
      if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(v).slice(0, 400)}\nagents:\n${agentLog()}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  const waitTask = (id: string) =>
    waitFor(
      `task ${id}`,
      () => api<TaskView>('GET', `/api/tasks/${id}`),
      (v) => isOneOf(FINAL_TASK_STATES, v.task.state),
    );

  /** A new HDA enrolled by its own agent state dir; the agent is started only when asked. */
  async function newHda(name: string, domain: string, namespace = '') {
    const stateDir = mkdtempSync(join(tmpdir(), `hda-lc-state-${name}-`));
    const appsRoot = mkdtempSync(join(tmpdir(), `hda-lc-apps-${name}-`));
    dirs.push(stateDir, appsRoot);
    const env: NodeJS.ProcessEnv = {
      ...testbedAgentEnv(tb, { stateDir, appsRoot }),
      HDA_AGENT_HEARTBEAT_S: '2',
      HDA_AGENT_POLL_WAIT_S: '5',
      HDA_AGENT_HEALTH_TIMEOUT_S: '40',
      ...(namespace ? { HDA_AGENT_NAMESPACE: namespace } : {}),
    };
    const created = await api<{ hda: { id: string }; enrollment_code: string }>('POST', '/api/hdas', { name, domain });
    const enrolled = await runAgentCommand(['enroll', '--server', plane.url, '--code', created.enrollment_code], env);
    expect(enrolled.code, enrolled.output).toBe(0);
    // Several HDAs share this one Docker host here: give each its own host port range.
    const port = await freePort();
    await plane.deps.db
      .update(hdas)
      .set({ nextPortSeq: port - 35000 })
      .where(eq(hdas.id, created.hda.id));
    return {
      id: created.hda.id,
      domain,
      start: () => {
        const a = startAgent(['run'], env);
        agents.push(a);
        return a;
      },
    };
  }

  beforeAll(async () => {
    if (!probe.ok) return;
    const { startControlPlane } = await import('../../worker/node-server');
    plane = await startControlPlane({
      port: 0,
      host: '127.0.0.1',
      adminEmail: 'admin@lc.test',
      adminPassword: 'lifecycle-password-long-enough',
      seedCatalog: false,
      quiet: true,
    });
    token = (await api<{ token: string }>('POST', '/api/auth/login', { email: 'admin@lc.test', password: 'lifecycle-password-long-enough' })).token;
    await api('POST', '/api/catalog/apps', { slug: app, name: app, description: 'stand-in that serves its version' });
    for (const v of ['1', '2', '3']) {
      // Version 3 starts slowly, so a logs request arrives while its update is still running.
      await api('POST', `/api/catalog/apps/${app}/versions`, {
        version: `${v}.0`,
        kind: 'container',
        compose: compose(tb.standinImage, `lc-v${v}`, v === '3' ? 10 : 0),
      });
    }
    await api('POST', '/api/catalog/apps', { slug: fleetApp, name: fleetApp, description: 'stand-in for a fleet deployment' });
    await api('POST', `/api/catalog/apps/${fleetApp}/versions`, { version: '1.0', kind: 'container', compose: compose(tb.standinImage, 'fleet') });
  });

  afterAll(async () => {
    for (const a of agents) await a.stop();
    for (const p of projects) {
      await removeComposeProject(docker, p);
    }
    for (const v of vhosts) rmSync(join(tb.apacheSitesDir, v), { force: true });
    await plane?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("rollback to two deployments ago restores that version's page; a logs request is answered while an update runs", async () => {
    const domain = `lc-${run}.test`;
    const hda = await newHda(`lc-${run}`, domain);
    projects.push(app, `${app}_b`);
    vhosts.push(`hda-app-${app}.conf`);
    hda.start();
    const host = `${app}.${domain}`;
    const created = await api<{ install: { id: string }; deployment: { id: string }; task: { id: string } }>('POST', `/api/hdas/${hda.id}/installs`, {
      app,
      version: '1.0',
    });
    const installId = created.install.id;
    const v1 = created.deployment.id;
    expect((await waitTask(created.task.id)).task.state).toBe('succeeded');
    expect((await getThroughApache(tb, host)).body).toContain('Stand-in for lc-v1 hello');

    const act = (body: Record<string, unknown>) =>
      api<{ deployment: { id: string }; task: { id: string } }>('POST', `/api/installs/${installId}/actions`, body);
    const two = await act({ action: 'update', version: '2.0' });
    expect((await waitTask(two.task.id)).task.state).toBe('succeeded');
    expect((await getThroughApache(tb, host)).body).toContain('Stand-in for lc-v2');

    const three = await act({ action: 'update', version: '3.0' });
    // While the update waits for the slow version 3 to answer, the owner asks for the logs.
    await waitFor(
      'update at health',
      () => api<TaskView>('GET', `/api/tasks/${three.task.id}`),
      (v) => v.events.some((e) => e.step === 'health' && e.status === 'Starting'),
    );
    const logs = await api<{ task: { id: string } }>('POST', `/api/installs/${installId}/logs`, { tail: 20 });
    const logsView = await waitTask(logs.task.id);
    expect(logsView.task.state, agentLog()).toBe('succeeded');
    expect((await api<TaskView>('GET', `/api/tasks/${three.task.id}`)).task.state).toBe('claimed'); // logs did not wait for it
    expect(logChunks(logsView.events).flatMap((c) => c.lines)).toContain('starting lc-v3');
    expect((await waitTask(three.task.id)).task.state).toBe('succeeded');
    expect((await getThroughApache(tb, host)).body).toContain('Stand-in for lc-v3');

    const back = await act({ action: 'rollback', deployment: v1 });
    const backView = await waitTask(back.task.id);
    expect(backView.task.state, backView.task.detail ?? '').toBe('succeeded');
    expect((await getThroughApache(tb, host)).body).toContain('Stand-in for lc-v1 hello');

    const history = await api<{
      deployments: Array<{
        id: string;
        action: string;
        status: string;
        version: string;
        rollback_of: string | null;
        images: Record<string, string> | null;
        rendered_compose: string | null;
      }>;
    }>('GET', `/api/installs/${installId}/deployments`);
    expect(history.deployments.map((d) => `${d.action} ${d.version} ${d.status}`)).toEqual([
      'rollback 1.0 succeeded',
      'update 3.0 succeeded',
      'update 2.0 succeeded',
      'install 1.0 succeeded',
    ]);
    expect(history.deployments[0].rollback_of).toBe(v1);
    // What ran is recorded: the rendered compose and the image by its registry digest.
    for (const d of history.deployments) {
      expect(Object.keys(d.images ?? {})).toEqual([tb.standinImage]);
      expect(Object.values(d.images ?? {})[0]).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
    expect(history.deployments[0].rendered_compose).toContain('lc-v1');
    const install = await api<{ install: { state: string; version?: string } }>('GET', `/api/installs/${installId}`);
    expect(install.install.state).toBe('running');
  });

  it('a fleet batch reports per-HDA results, applies a per-HDA value, and the offline HDA completes once it is back', async () => {
    const fleet = [];
    for (const n of ['a', 'b', 'c']) {
      const ns = `f${run}${n}`;
      fleet.push({ ns, hda: await newHda(`fleet-${run}-${n}`, `${n}-${run}.fleet.test`, ns) });
      projects.push(`${ns}_${fleetApp}`, `${ns}_${fleetApp}_b`);
      vhosts.push(`hda-app-${ns}_${fleetApp}.conf`);
    }
    const [a, b, c] = fleet.map((f) => f.hda);
    // c has not been seen for an hour: offline.
    await plane.deps.db
      .update(hdas)
      .set({ lastSeenAt: Date.now() - 3_600_000 })
      .where(eq(hdas.id, c.id));
    a.start();
    b.start();
    const created = await api<BatchView>('POST', '/api/batches', {
      app: fleetApp,
      hdas: [a.id, b.id, c.id],
      concurrency: 2,
      overrides: { [b.id]: { env: { GREETING: 'hi-b' } } },
    });
    const id = created.batch.id;
    const stateOf = (v: BatchView, hdaId: string) => v.items.find((i) => i.hda_id === hdaId)!.state;
    expect(stateOf(created, c.id)).toBe('pending');

    let view = await waitFor(
      'a and b done',
      () => api<BatchView>('GET', `/api/batches/${id}`),
      (v) => [a, b].every((h) => ['succeeded', 'failed'].includes(stateOf(v, h.id))),
    );
    expect(stateOf(view, a.id), JSON.stringify(view.items)).toBe('succeeded');
    expect(stateOf(view, b.id), JSON.stringify(view.items)).toBe('succeeded');
    expect(stateOf(view, c.id)).toBe('pending');
    expect(view.batch.state).toBe('running');
    expect((await getThroughApache(tb, `${fleetApp}.${a.domain}`)).body).toContain('Stand-in for fleet hello');
    expect((await getThroughApache(tb, `${fleetApp}.${b.domain}`)).body).toContain('Stand-in for fleet hi-b');

    c.start();
    view = await waitFor(
      'batch done',
      () => api<BatchView>('GET', `/api/batches/${id}`),
      (v) => !['running', 'rolling_back'].includes(v.batch.state),
    );
    expect(view.batch.state, JSON.stringify(view.items)).toBe('succeeded');
    expect(view.items.map((i) => [i.hda_name, i.state, i.action])).toEqual(['a', 'b', 'c'].map((n) => [`fleet-${run}-${n}`, 'succeeded', 'install']));
    for (const i of view.items) expect(i.detail).toMatch(new RegExp(`${fleetApp} 1\\.0 is running at http://${fleetApp}\\.`));
    expect((await getThroughApache(tb, `${fleetApp}.${c.domain}`)).body).toContain('Stand-in for fleet hello');
    // One Docker host, three HDAs: each agent runs its own project.
    for (const f of fleet) expect((await docker.listContainers({ filters: { label: [`com.docker.compose.project=${f.ns}_${fleetApp}`] } })).length).toBe(1);
  });
});
