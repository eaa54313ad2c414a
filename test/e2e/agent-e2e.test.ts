/**
 * End to end: the control plane (Node entry) + `hda-agent` as a child process + real Docker, Compose
 * and Apache. Publish an app, create and enroll an HDA, install from the API, reach the app through
 * Apache by its Host header, stop / start / uninstall, and check the task event streams. Then kill -9
 * the agent in the middle of an install and start it again: the install completes with one container,
 * one vhost, and an event stream with no seq lost or repeated.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_TASK_STATES, isOneOf, type TaskEvent } from '../../core/protocol';
import { requireOrSkip } from '../helpers/requirements';
import { getThroughApache, probeTestbed, removeComposeProject, type Testbed } from '../helpers/testbed';
import { runAgentCommand, startAgent, type AgentProcess, testbedAgentEnv } from '../helpers/agent-process';
import { standinCompose } from '../helpers/agent-harness';

const probe = probeTestbed();
const available = requireOrSkip('agent testbed (Docker, Compose v1, Apache)', probe.ok, probe.ok ? '' : probe.reason);

const INSTALL_STEPS = ['verify', 'ports', 'render', 'policy', 'prepare', 'pull', 'mounts', 'up', 'health', 'vhost', 'reload', 'probe'];

interface TaskView {
  task: { id: string; state: string; detail?: string | null; kind: string };
  events: TaskEvent[];
}

const compose = (image: string, slowStartS = 0) => standinCompose(image, '', { slowStartS, dataVolume: false });

describe.skipIf(!available)('hda-agent end to end with the control plane, Docker, Compose and Apache', () => {
  const tb = (probe.ok ? probe.testbed : null) as Testbed;
  const run = randomBytes(3).toString('hex');
  const domain = `e2e-${run}.test`;
  const appFast = `e2e-web-${run}`;
  const appSlow = `e2e-slow-${run}`;
  const appTerm = `e2e-term-${run}`;
  const appSecret = `e2e-sec-${run}`;
  const dbDir = mkdtempSync(join(tmpdir(), 'hda-e2e-db-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'hda-e2e-state-'));
  const appsRoot = mkdtempSync(join(tmpdir(), 'hda-e2e-apps-'));
  const docker = new Docker({ socketPath: tb?.dockerSocket ?? '/var/run/docker.sock' });
  let plane: { url: string; close(): Promise<void> };
  let token = '';
  let hdaId = '';
  let agent: AgentProcess | null = null;
  const agentLog: string[] = [];

  const agentEnv = (): NodeJS.ProcessEnv => ({
    ...testbedAgentEnv(tb, { stateDir, appsRoot }),
    HDA_AGENT_HEARTBEAT_S: '2',
    HDA_AGENT_POLL_WAIT_S: '5',
    HDA_AGENT_HEALTH_TIMEOUT_S: '60',
    HDA_AGENT_LOG_LEVEL: 'debug',
  });

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

  async function waitTask(taskId: string, timeoutMs = 120_000): Promise<TaskView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await api<TaskView>('GET', `/api/tasks/${taskId}`);
      if (isOneOf(FINAL_TASK_STATES, view.task.state)) {
        // The result is posted after every event; give the stream a moment to be complete.
        return api<TaskView>('GET', `/api/tasks/${taskId}`);
      }
      if (Date.now() > deadline) throw new Error(`task ${taskId} still ${view.task.state}; agent log:\n${agentOutput()}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  function agentOutput(): string {
    return [...agentLog, ...(agent?.output ?? [])].slice(-80).join('\n');
  }

  function startRun(): AgentProcess {
    if (agent) agentLog.push(...agent.output);
    agent = startAgent(['run'], agentEnv());
    return agent;
  }

  const containersOf = (identifier: string) => docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${identifier}`] } });
  const vhostsOf = (identifier: string) => readdirSync(tb.apacheSitesDir).filter((n) => n.includes(identifier));

  function expectContiguous(events: TaskEvent[]): void {
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  }

  beforeAll(async () => {
    if (!probe.ok) return;
    const { startControlPlane } = await import('../../worker/node-server');
    plane = await startControlPlane({
      port: 0,
      host: '127.0.0.1',
      dbUrl: `file:${join(dbDir, 'hda.db')}`,
      adminEmail: 'admin@e2e.test',
      adminPassword: 'e2e-password-long-enough',
      seedCatalog: false,
      quiet: true,
    });
    token = (await api<{ token: string }>('POST', '/api/auth/login', { email: 'admin@e2e.test', password: 'e2e-password-long-enough' })).token;
    for (const [slug, body] of [
      [appFast, compose(tb.standinImagePull)],
      [appSlow, compose(tb.standinImageAlt, 4)],
      [appTerm, compose(tb.standinImageAlt, 3)],
      [appSecret, standinCompose(tb.standinImageAlt, '    environment:\n      DB_PASSWORD: APP_SECRET_DB\n', { dataVolume: false })],
    ] as const) {
      await api('POST', '/api/catalog/apps', { slug, name: slug, description: 'busybox stand-in for the agent end-to-end test' });
      await api('POST', `/api/catalog/apps/${slug}/versions`, { version: '1.0', kind: 'container', compose: body });
    }
    const created = await api<{ hda: { id: string }; enrollment_code: string }>('POST', '/api/hdas', { name: `e2e-${run}`, domain });
    hdaId = created.hda.id;
    // The first pull must download for real.
    await docker
      .getImage(tb.standinImagePull)
      .remove({ force: true })
      .catch(() => undefined);

    const enrolled = await runAgentCommand(['enroll', '--server', plane.url, '--code', created.enrollment_code], agentEnv());
    expect(enrolled.code, enrolled.output).toBe(0);
    expect(enrolled.output).toContain(`domain ${domain}`);
    startRun();
  });

  afterAll(async () => {
    await agent?.stop();
    for (const id of [appFast, appSlow, appTerm, appSecret]) {
      await removeComposeProject(docker, id);
      if (tb) rmSync(join(tb.apacheSitesDir, `hda-app-${id}.conf`), { force: true });
    }
    await plane?.close();
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(dbDir, { recursive: true, force: true });
    rmSync(appsRoot, { recursive: true, force: true });
  });

  it('enrolls: token stored with mode 0600, never printed; status reports the HDA', async () => {
    expect(statSync(join(stateDir, 'token')).mode & 0o777).toBe(0o600);
    const status = await runAgentCommand(['status', '--json'], agentEnv());
    expect(status.code, status.output).toBe(0);
    const report = JSON.parse(status.output);
    expect(report.enrollment.hda_id).toBe(hdaId);
    expect(report.compose).toMatch(tb.compose === 'v1' ? /^Compose v1 1\.29/ : /^Compose v2 2\./);
    const tokenText = readFileSync(join(stateDir, 'token'), 'utf8').trim();
    expect(tokenText.length).toBeGreaterThan(16);
    expect(status.output).not.toContain(tokenText);
  });

  let installId = '';

  it('installs from the API: every step in order, the page answers through Apache, heartbeats report it', async () => {
    const created = await api<{ install: { id: string; identifier: string }; task: { id: string } }>('POST', `/api/hdas/${hdaId}/installs`, { app: appFast });
    installId = created.install.id;
    expect(created.install.identifier).toBe(appFast);
    const view = await waitTask(created.task.id);
    expect(view.task.state, `${view.task.detail}\n${agentOutput()}`).toBe('succeeded');
    expectContiguous(view.events);
    expect(view.events.filter((e) => e.status === 'Starting').map((e) => e.step)).toEqual(INSTALL_STEPS);
    for (const step of INSTALL_STEPS) {
      const own = view.events.filter((e) => e.step === step).map((e) => e.status);
      expect(own[0]).toBe('Starting');
      expect(own.at(-1)).toBe('Complete');
    }
    const progress = view.events.filter((e) => e.status === 'Progress');
    expect(progress.length).toBeGreaterThan(0);
    expect((progress.at(-1)!.data as { total: number }).total).toBeGreaterThan(1_000_000);
    expect(view.events.at(-1)!.status).toBe('Finalized');

    const page = await getThroughApache(tb, `${appFast}.${domain}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Stand-in for pull');
    expect(await containersOf(appFast)).toHaveLength(1);
    expect(vhostsOf(appFast)).toEqual([`hda-app-${appFast}.conf`]);

    // A heartbeat after the change carries the facts and the app's state.
    const deadline = Date.now() + 20_000;
    let detail: { hda: Record<string, unknown>; installs?: Array<Record<string, unknown>> } | null = null;
    while (Date.now() < deadline) {
      detail = await api('GET', `/api/hdas/${hdaId}`);
      if (JSON.stringify(detail).includes('"running"') && JSON.stringify(detail).includes('1.29')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(JSON.stringify(detail)).toContain('1.29'); // compose version in the facts
    const install = await api<Record<string, unknown>>('GET', `/api/installs/${installId}`);
    expect(JSON.stringify(install)).toContain('running');
  });

  it("a per-install secret reaches the container, and neither the task's events and result nor the control plane's database hold it", async () => {
    const created = await api<{ install: { id: string }; task: { id: string } }>('POST', `/api/hdas/${hdaId}/installs`, { app: appSecret });
    const view = await waitTask(created.task.id);
    expect(view.task.state, `${view.task.detail}\n${agentOutput()}`).toBe('succeeded');
    const value = (JSON.parse(readFileSync(join(stateDir, 'secrets', `${appSecret}.json`), 'utf8')) as Record<string, string>).DB;
    expect(value).toMatch(/^[A-Za-z0-9]{32}$/);
    const [c] = await containersOf(appSecret);
    expect((await docker.getContainer(c.Id).inspect()).Config.Env).toContain(`DB_PASSWORD=${value}`);
    expect(JSON.stringify(view)).not.toContain(value);
    // Let a heartbeat or two land too, then search every file of the database (WAL included).
    await new Promise((r) => setTimeout(r, 2500));
    const files = readdirSync(dbDir).map((f) => join(dbDir, f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(readFileSync(f).includes(Buffer.from(value)), f).toBe(false);
    expect(files.some((f) => readFileSync(f).includes(Buffer.from('APP_SECRET_DB')))).toBe(true);
    const removed = await api<{ task: { id: string } }>('POST', `/api/installs/${created.install.id}/actions`, { action: 'uninstall' });
    expect((await waitTask(removed.task.id)).task.state).toBe('succeeded');
  });

  it('stop, start and uninstall through the API; the vhost and the containers are gone afterwards', async () => {
    const act = async (action: string, extra: Record<string, unknown> = {}) => {
      const r = await api<{ task: { id: string } }>('POST', `/api/installs/${installId}/actions`, { action, ...extra });
      const v = await waitTask(r.task.id);
      expect(v.task.state, `${action}: ${v.task.detail}\n${agentOutput()}`).toBe('succeeded');
      expectContiguous(v.events);
      expect(v.events.at(-1)!.status).toBe('Finalized');
      return v;
    };
    await act('stop');
    expect((await containersOf(appFast))[0].State).toBe('exited');
    expect((await getThroughApache(tb, `${appFast}.${domain}`)).status).toBe(503);

    await act('start');
    expect((await getThroughApache(tb, `${appFast}.${domain}`)).body).toContain('Stand-in for pull');

    const un = await act('uninstall');
    expect(un.events.filter((e) => e.status === 'Starting').map((e) => e.step)).toEqual(['vhost', 'reload', 'down', 'cleanup', 'images']);
    expect(await containersOf(appFast)).toHaveLength(0);
    expect(vhostsOf(appFast)).toEqual([]);
    expect((await getThroughApache(tb, `${appFast}.${domain}`)).body).not.toContain('Stand-in');
    const install = await api<{ install: { state: string } }>('GET', `/api/installs/${installId}`);
    expect(install.install.state).toBe('removed');
  });

  it('kill -9 of the agent mid-install, then a restart: the install completes, one container, one vhost, no event lost or repeated', async () => {
    const created = await api<{ install: { id: string }; task: { id: string } }>('POST', `/api/hdas/${hdaId}/installs`, { app: appSlow });
    // The stand-in sleeps before serving, so the agent sits in `health` long enough to be killed there.
    const deadline = Date.now() + 60_000;
    let seen: TaskView | null = null;
    while (Date.now() < deadline) {
      seen = await api<TaskView>('GET', `/api/tasks/${created.task.id}`);
      if (seen.events.some((e) => e.step === 'health' && e.status === 'Starting')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen!.events.some((e) => e.step === 'health')).toBe(true);
    await agent!.kill9();
    const atKill = await api<TaskView>('GET', `/api/tasks/${created.task.id}`);
    expect(atKill.task.state).toBe('claimed');
    expect(atKill.events.some((e) => e.status === 'Finalized')).toBe(false);

    startRun();
    const view = await waitTask(created.task.id);
    expect(view.task.state, `${view.task.detail}\n${agentOutput()}`).toBe('succeeded');
    // Nothing lost, nothing counted twice: seq runs 1..N without a gap, and the server holds each once.
    expectContiguous(view.events);
    expect(view.events.length).toBeGreaterThan(atKill.events.length);
    const rerun = view.events.findIndex((e) => e.status === 'Warning' && /running the task again/.test(e.message));
    expect(rerun).toBeGreaterThan(0);
    expect(
      view.events
        .slice(rerun)
        .filter((e) => e.status === 'Starting')
        .map((e) => e.step),
    ).toEqual(INSTALL_STEPS);
    expect(view.events.at(-1)!.status).toBe('Finalized');

    expect(await containersOf(appSlow)).toHaveLength(1);
    expect(vhostsOf(appSlow)).toEqual([`hda-app-${appSlow}.conf`]);
    const page = await getThroughApache(tb, `${appSlow}.${domain}`);
    expect(page.body).toContain('Stand-in for alt');
  });

  it('SIGTERM in the middle of an install: the task in hand finishes, then the agent exits 0 with nothing left in hand', async () => {
    const created = await api<{ task: { id: string } }>('POST', `/api/hdas/${hdaId}/installs`, { app: appTerm });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const v = await api<TaskView>('GET', `/api/tasks/${created.task.id}`);
      if (v.events.some((e) => e.step === 'health' && e.status === 'Starting')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const code = await agent!.stop(60_000);
    expect(code, agentOutput()).toBe(0);
    const out = agent!.output.join('\n');
    expect(out).toContain('SIGTERM: no new tasks; finishing the task in hand');
    expect(out).toContain('hda-agent stopped');
    const view = await api<TaskView>('GET', `/api/tasks/${created.task.id}`);
    expect(view.task.state).toBe('succeeded');
    expectContiguous(view.events);
    expect(view.events.at(-1)!.status).toBe('Finalized');
    expect((await getThroughApache(tb, `${appTerm}.${domain}`)).body).toContain('Stand-in for alt');

    const status = JSON.parse((await runAgentCommand(['status', '--json'], agentEnv())).output);
    expect(status.tasks_in_hand).toEqual([]);
    expect(status.events_unacknowledged).toBe(0);
    expect(status.results_unposted).toBe(0);
    expect(status.apps.map((a: { identifier: string }) => a.identifier).sort()).toEqual([appSlow, appTerm].sort());
    // Nothing the agent logged ever contained its token.
    const tokenText = readFileSync(join(stateDir, 'token'), 'utf8').trim();
    expect([...agentLog, ...agent!.output].join('\n')).not.toContain(tokenText);
  });
});
