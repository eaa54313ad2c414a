/**
 * A second HDA joins the way an owner adds one: "Add HDA" gives a one-line command that fetches the
 * install script from the control plane, which downloads the agent bundle from the control plane,
 * checks its SHA-256, installs it with a launcher, and enrolls. The agent so installed (its own
 * prefix, state dir and apps root on the testbed) then installs an app that answers through Apache.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installScript } from '../../worker/services/agent-installer';
import { testbedAgentEnv } from '../helpers/agent-process';
import { standinCompose } from '../helpers/agent-harness';
import { requireOrSkip } from '../helpers/requirements';
import { getThroughApache, probeTestbed, type Testbed } from '../helpers/testbed';
import { FINAL_TASK_STATES, isOneOf } from '../../core/protocol';

const probe = probeTestbed();
const available = requireOrSkip('agent testbed (Docker, Compose, Apache)', probe.ok, probe.ok ? '' : probe.reason);

interface Enrollment {
  command: string;
  server_url: string;
  warning?: string;
}

describe.skipIf(!available)('a second HDA installed and enrolled with the command "Add HDA" shows', () => {
  const tb = (probe.ok ? probe.testbed : null) as Testbed;
  const run = randomBytes(3).toString('hex');
  const slug = `joined-${run}`;
  const work = mkdtempSync(join(tmpdir(), 'hda-join-'));
  const dirs = { stateDir: join(work, 'state'), appsRoot: join(work, 'apps') };
  const prefix = join(work, 'prefix');
  let plane: { url: string; close(): Promise<void> };
  let token = '';
  let agent: ChildProcess | null = null;
  const agentOutput: string[] = [];

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, plane.url), {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** `sh` as a child the event loop keeps serving beside (the control plane runs in this process). */
  function sh(args: string[], input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
    // The host setup writes under this test's root, never the machine's /etc (agent-install-host-setup.test.ts checks it).
    const env = { ...process.env, ...testbedAgentEnv(tb, dirs), HDA_AGENT_ETC: join(work, 'etc') };
    const child = spawn('sh', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdin.end(input);
    return new Promise((resolve) => child.on('exit', (status) => resolve({ status, stdout, stderr })));
  }

  /** The command as the UI shows it, run by root as pasted (no sudo needed), plus test-only options. */
  const runInstallCommand = (command: string, extraArgs: string[]) => sh(['-c', `${command.replace('| sudo sh', '| sh')} ${extraArgs.join(' ')}`]);

  beforeAll(async () => {
    const { startControlPlane } = await import('../../worker/node-server');
    plane = await startControlPlane({
      port: 0,
      host: '127.0.0.1',
      adminEmail: 'admin@join.test',
      adminPassword: 'join-password-long-enough',
      seedCatalog: false,
      quiet: true,
    });
    token = (await api<{ token: string }>('POST', '/api/auth/login', { email: 'admin@join.test', password: 'join-password-long-enough' })).token;
    await api('POST', '/api/catalog/apps', { slug, name: slug, description: 'busybox stand-in for the second-HDA test' });
    await api('POST', `/api/catalog/apps/${slug}/versions`, {
      version: '1.0',
      kind: 'container',
      compose: standinCompose(tb.standinImage, '', { dataVolume: false }),
    });
  });

  afterAll(async () => {
    agent?.kill('SIGTERM');
    await plane?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses a bundle that does not match the digest in the script, installing nothing', async () => {
    const script = installScript(plane.url, '0'.repeat(64));
    const r = await sh(['-s', '--', '--code', 'AAAAA-BBBBB-CCCCC', '--prefix', join(work, 'wrong'), '--no-systemd'], script);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not the one this script was made for/);
    expect(existsSync(join(work, 'wrong', 'lib', 'hda-agent', 'hda-agent.mjs'))).toBe(false);
  });

  it('installs the agent from the control plane, enrolls, and the agent installs an app served by Apache', async () => {
    const created = await api<{ hda: { id: string }; enrollment: Enrollment }>('POST', '/api/hdas', { name: `joined-${run}`, domain: `join-${run}.test` });
    const { command, warning } = created.enrollment;
    expect(command).toMatch(new RegExp(`^curl -fsSL ${plane.url}/agent/v1/install\\.sh \\| sudo sh -s -- --code [A-Z0-9-]+$`));
    expect(warning).toMatch(/PUBLIC_URL/); // the plane listens on the loopback here

    const installed = await runInstallCommand(command, ['--prefix', prefix, '--no-systemd', '--names', 'dnsmasq']);
    expect(installed.status, `${installed.stdout}\n${installed.stderr}`).toBe(0);
    expect(installed.stdout).toMatch(/enrolled; start the agent with/);
    // This root has no Apache configuration: the script says so instead of claiming HTTPS.
    expect(installed.stdout).toContain('host set up: HTTPS not set up, names: dnsmasq');
    expect(readFileSync(join(work, 'etc', 'dnsmasq.d', 'hda-agent.conf'), 'utf8')).toContain(`hostsdir=${join(work, 'etc', 'hda-agent', 'hosts.d')}`);
    const bundle = readFileSync(join(prefix, 'lib', 'hda-agent', 'hda-agent.mjs'));
    const served = await fetch(`${plane.url}/agent/v1/hda-agent.mjs`);
    expect(createHash('sha256').update(bundle).digest('hex')).toBe(served.headers.get('x-content-sha256'));
    expect(statSync(join(dirs.stateDir, 'token')).mode & 0o777).toBe(0o600);

    agent = spawn(join(prefix, 'bin', 'hda-agent'), ['run'], {
      env: { ...process.env, ...testbedAgentEnv(tb, dirs), HDA_AGENT_POLL_WAIT_S: '5', HDA_AGENT_HEARTBEAT_S: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const s of [agent.stdout!, agent.stderr!]) s.on('data', (b: Buffer) => agentOutput.push(b.toString()));

    const queued = await api<{ install: { id: string; hostname: string }; task: { id: string } }>('POST', `/api/hdas/${created.hda.id}/installs`, {
      app: slug,
    });
    const deadline = Date.now() + 150_000;
    let state = 'queued';
    while (!isOneOf(FINAL_TASK_STATES, state)) {
      if (Date.now() > deadline) throw new Error(`install still ${state}; agent output:\n${agentOutput.join('').slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 500));
      state = (await api<{ task: { state: string } }>('GET', `/api/tasks/${queued.task.id}`)).task.state;
    }
    expect(state, agentOutput.join('').slice(-4000)).toBe('succeeded');
    const page = await getThroughApache(tb, queued.install.hostname);
    expect(page.status).toBe(200);

    const removed = await api<{ task: { id: string } }>('POST', `/api/installs/${queued.install.id}/actions`, { action: 'uninstall', purge: true });
    for (let i = 0; i < 240; i++) {
      const t = await api<{ task: { state: string } }>('GET', `/api/tasks/${removed.task.id}`);
      if (t.task.state !== 'queued' && t.task.state !== 'claimed') break;
      await new Promise((r) => setTimeout(r, 500));
    }
  });
});
