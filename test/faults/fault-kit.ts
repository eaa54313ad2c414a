/**
 * What the fault suite shares: a control plane (in this process, or a process of its own that a test
 * can kill -9 and start again on the same port and libSQL file), an enrolled `hda-agent` child process
 * (plain, or with the fault hooks of agent-hooks.ts), a TCP proxy that makes the control plane
 * unreachable, a unix-socket proxy that makes Docker vanish, and the one consistency check every case
 * ends with. Each area counts its cases and prints one summary line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { createClient } from '@libsql/client';
import { FINAL_TASK_STATES, isOneOf, type TaskEvent } from '../../core/protocol';
import { PLANS } from '../../agent/executor/plans';
import { runAgentCommand, startAgent as startAgentProcess, type AgentProcess } from '../helpers/agent-process';
import { standinCompose } from '../helpers/agent-harness';
import { getThroughApache, removeComposeProject, type Testbed } from '../helpers/testbed';

/** `npm run test:soak` (vitest.soak.config.ts) sets FAULTS_SOAK=1: the full matrix and the long outages. */
export const SOAK = process.env.FAULTS_SOAK === '1';

/**
 * The steps of a kind of task, read from the agent's own plans (they change as the agent grows):
 * `conditional` steps run only for some tasks (e.g. retire, in a blue/green switch).
 */
export function planOf(kind: string): Array<{ name: string; conditional: boolean }> {
  return (PLANS[kind as keyof typeof PLANS] ?? []).map((s) => ({ name: s.name, conditional: !!s.when }));
}

const HOOKED_BIN = fileURLToPath(new URL('./hooked-agent.mjs', import.meta.url));
const PLANE_MAIN = fileURLToPath(new URL('./plane-main.ts', import.meta.url));
const ADMIN = { email: 'admin@faults.test', password: 'faults-password-long-enough' };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------------
// Tally: one summary line per area.

export class Tally {
  cases = 0;
  consistent = 0;
  tasks = 0;
  succeeded = 0;
  failedWithReason = 0;
  readonly notes: string[] = [];
  constructor(readonly area: string) {}

  /** One fault injected; `outcomes` are the checks of every task it touched (all must be consistent). */
  record(label: string, outcomes: CaseOutcome[]): void {
    this.cases++;
    const problems = outcomes.flatMap((o) => o.problems.map((p) => `${o.label}: ${p}`));
    if (problems.length === 0) this.consistent++;
    else this.notes.push(`${label}: ${problems.join('; ')}`);
    for (const o of outcomes) {
      this.tasks++;
      this.succeeded += o.succeeded;
      this.failedWithReason += o.failedWithReason;
    }
  }

  line(extra = ''): string {
    return `faults: ${this.area}: ${this.cases} cases, ${this.consistent} consistent (${this.tasks} tasks: ${this.succeeded} succeeded, ${this.failedWithReason} failed with a reason)${extra ? `; ${extra}` : ''}`;
  }

  print(extra = ''): void {
    if (this.cases === 0) return;
    console.log(this.line(extra));
    for (const n of this.notes) console.log(`  inconsistent: ${n}`);
  }
}

export interface CaseOutcome {
  label: string;
  problems: string[];
  succeeded: number;
  failedWithReason: number;
}

// ---------------------------------------------------------------------------------------------------
// Proxies: the control plane unreachable, Docker gone.

/**
 * A TCP proxy in front of the control plane. pause('refuse') closes the listener and drops every
 * connection (connection refused); pause('blackhole') keeps accepting but never answers (requests hang
 * until the client's own timeout). resume() drops what was held and forwards again.
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly conns = new Set<Socket>();
  private mode: 'open' | 'refuse' | 'blackhole' = 'open';
  port = 0;

  constructor(private readonly targetPort: number) {}

  async start(port = 0): Promise<number> {
    const server = createServer((c) => this.accept(c));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  private accept(c: Socket): void {
    this.conns.add(c);
    c.on('close', () => this.conns.delete(c));
    c.on('error', () => c.destroy());
    if (this.mode !== 'open') return; // blackhole: accepted, never answered
    const up = connect(this.targetPort, '127.0.0.1');
    this.conns.add(up);
    up.on('close', () => this.conns.delete(up));
    c.pipe(up).pipe(c);
    up.on('error', () => c.destroy());
    c.on('error', () => up.destroy());
    c.on('close', () => up.destroy());
    up.on('close', () => c.destroy());
  }

  private dropAll(): void {
    for (const c of this.conns) c.destroy();
    this.conns.clear();
  }

  async pause(mode: 'refuse' | 'blackhole'): Promise<void> {
    this.mode = mode;
    this.dropAll();
    if (mode === 'refuse' && this.server) {
      const s = this.server;
      this.server = null;
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  async resume(): Promise<void> {
    const wasRefusing = this.mode === 'refuse';
    this.mode = 'open';
    this.dropAll();
    if (wasRefusing) await this.start(this.port);
  }

  async close(): Promise<void> {
    this.dropAll();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }
}

/** A unix socket that forwards to the Docker Engine; vanish() is the daemon going away for the agent. */
export class DockerSocketProxy {
  private server: Server | null = null;
  private readonly conns = new Set<Socket>();
  readonly dir = mkdtempSync(join(tmpdir(), 'hda-faults-dock-'));
  readonly path = join(this.dir, 'docker.sock');

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    rmSync(this.path, { force: true });
    const server = createServer((c) => {
      const up = connect(this.target);
      this.conns.add(c).add(up);
      c.on('close', () => this.conns.delete(c));
      up.on('close', () => this.conns.delete(up));
      c.pipe(up).pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
      c.on('close', () => up.destroy());
      up.on('close', () => c.destroy());
    });
    await new Promise<void>((r) => server.listen(this.path, () => r()));
    this.server = server;
  }

  async vanish(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    if (s) await new Promise<void>((r) => s.close(() => r()));
    rmSync(this.path, { force: true });
  }

  async close(): Promise<void> {
    await this.vanish();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// Agent processes.

export type AgentProc = AgentProcess;

// ---------------------------------------------------------------------------------------------------
// The control plane.

export interface PlaneOptions {
  /** 'process': a child process that can be killed and started again on the same port and file. */
  mode: 'inprocess' | 'process';
  config?: Record<string, unknown>;
}

interface TaskView {
  task: {
    id: string;
    state: string;
    detail: string | null;
    kind: string;
    attempts: number;
    deployment_id: string | null;
    install_id: string | null;
    failed_step: string | null;
  };
  events: TaskEvent[];
}

interface InstallView {
  install: { id: string; identifier: string; state: string; current_deployment_id: string | null; version?: string; host_port: number };
}

export interface FaultBedOptions {
  tb: Testbed;
  plane: PlaneOptions;
  /** The agent reaches the control plane through a TcpProxy (for outages). */
  proxy?: boolean;
  /** The agent reaches Docker through this socket instead of the testbed's. */
  dockerSocket?: string;
  /** The apps root (a small tmpfs in the disk-full cases). */
  appsRoot?: string;
}

/**
 * One HDA on one control plane, its agent's state dir, and every identifier the test installed (all
 * removed from Docker, Apache and disk at the end).
 */
export class FaultBed {
  readonly tb: Testbed;
  readonly run = randomBytes(3).toString('hex');
  readonly domain: string;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'hda-faults-plane-'));
  readonly stateDir = mkdtempSync(join(tmpdir(), 'hda-faults-state-'));
  readonly faultDir = mkdtempSync(join(tmpdir(), 'hda-faults-hold-'));
  readonly appsRoot: string;
  readonly docker: Docker;
  readonly identifiers = new Set<string>();
  private readonly ownAppsRoot: boolean;
  private planeChild: ChildProcess | null = null;
  private planeInProc: { url: string; close(): Promise<void> } | null = null;
  private planeLog: string[] = [];
  planePort = 0;
  planeUrl = '';
  /** This bed's own copies of the stand-in images (see ownImages). */
  images = { web: '', alt: '' };
  proxy: TcpProxy | null = null;
  token = '';
  hdaId = '';
  agent: AgentProc | null = null;
  private readonly agentLog: string[] = [];

  constructor(private readonly o: FaultBedOptions) {
    this.tb = o.tb;
    this.domain = `faults-${this.run}.test`;
    this.ownAppsRoot = !o.appsRoot;
    this.appsRoot = o.appsRoot ?? mkdtempSync(join(tmpdir(), 'hda-faults-apps-'));
    this.docker = new Docker({ socketPath: o.tb.dockerSocket });
  }

  // --- control plane --------------------------------------------------------------------------

  async startPlane(): Promise<void> {
    if (this.o.plane.mode === 'inprocess') {
      const { startControlPlane } = await import('../../worker/node-server');
      const p = await startControlPlane({
        port: this.planePort,
        host: '127.0.0.1',
        dataDir: this.dataDir,
        adminEmail: ADMIN.email,
        adminPassword: ADMIN.password,
        seedCatalog: false,
        quiet: true,
        config: this.o.plane.config as never,
      });
      this.planeInProc = p;
      this.planePort = p.port;
      this.planeUrl = p.url;
      return;
    }
    const child = spawn(process.execPath, ['--import', 'tsx', PLANE_MAIN], {
      env: {
        ...process.env,
        PLANE_PORT: String(this.planePort),
        PLANE_DATA_DIR: this.dataDir,
        PLANE_ADMIN_EMAIL: ADMIN.email,
        PLANE_ADMIN_PASSWORD: ADMIN.password,
        PLANE_CONFIG: JSON.stringify(this.o.plane.config ?? {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.planeChild = child;
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      const onData = (b: Buffer) => {
        buf += b.toString();
        this.planeLog.push(b.toString());
        const m = /listening (http:\/\/\S+)/.exec(buf);
        if (m) resolve(m[1]);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (b: Buffer) => this.planeLog.push(b.toString()));
      child.once('exit', (code) => reject(new Error(`control plane exited with ${code}: ${this.planeLog.join('').slice(-2000)}`)));
      setTimeout(() => reject(new Error('control plane did not start within 60 s')), 60_000).unref();
    });
    this.planeUrl = url;
    this.planePort = Number(new URL(url).port);
  }

  /** kill -9 (crash) or SIGTERM (graceful stop) of the control plane process. */
  async stopPlane(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    if (this.planeInProc) {
      await this.planeInProc.close();
      this.planeInProc = null;
      return;
    }
    const child = this.planeChild;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(t);
    this.planeChild = null;
  }

  /** The URL the agent uses: the proxy's when there is one. */
  agentServerUrl(): string {
    return this.proxy ? `http://127.0.0.1:${this.proxy.port}` : this.planeUrl;
  }

  async api<T = any>(method: string, path: string, body?: unknown, opts: { retryUnreachableMs?: number } = {}): Promise<T> {
    const deadline = Date.now() + (opts.retryUnreachableMs ?? 20_000);
    for (;;) {
      let res: Response;
      try {
        res = await fetch(new URL(path, this.planeUrl), {
          method,
          headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (e) {
        // The control plane may be restarting under this test.
        if (Date.now() > deadline) throw e;
        await sleep(200);
        continue;
      }
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return (text ? JSON.parse(text) : null) as T;
    }
  }

  /**
   * The stand-in images under names of this bed's own, pushed to the testbed registry: other suites
   * on this machine remove the shared stand-ins (`docker rmi -f`) to make their pulls real, which
   * broke a pull here in the middle of a step; and the agent's own image cleanup may remove these
   * between cases, so a later install pulls them again for real.
   */
  private async ownImages(): Promise<void> {
    const follow = (stream: NodeJS.ReadableStream) =>
      new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) => {
          const failed = err ?? out.find((o) => o.error);
          if (failed) reject(failed instanceof Error ? failed : new Error((failed as { error: string }).error));
          else resolve();
        }),
      );
    for (const [name, source] of [
      ['web', this.tb.standinImage],
      ['alt', this.tb.standinImageAlt],
    ] as const) {
      if (
        !(await this.docker
          .getImage(source)
          .inspect()
          .then(
            () => true,
            () => false,
          ))
      )
        await follow(await this.docker.pull(source));
      const repo = `${this.tb.registry}/hda-faults/${name}`;
      await this.docker.getImage(source).tag({ repo, tag: this.run });
      await follow(await this.docker.getImage(`${repo}:${this.run}`).push({ authconfig: { serveraddress: this.tb.registry } }));
      this.images[name] = `${repo}:${this.run}`;
    }
  }

  /** Control plane, admin session, an HDA with its own port range, and the agent enrolled. */
  async setup(): Promise<void> {
    await this.ownImages();
    await this.startPlane();
    if (this.o.proxy) {
      this.proxy = new TcpProxy(this.planePort);
      await this.proxy.start();
    }
    this.token = (await this.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).token;
    const created = await this.api<{ hda: { id: string }; enrollment_code: string }>('POST', '/api/hdas', { name: `faults-${this.run}`, domain: this.domain });
    this.hdaId = created.hda.id;
    // Host ports are 35000 + next_port_seq, inside Linux's default ephemeral range (32768-60999):
    // the agent's own connections (polls, health checks, probes) take source ports one after another
    // from there and collided with the ports handed to apps ("host port ... is already taken", 4 of
    // ~60 installs in a soak run). The suite's HDAs take ports from 61000 up, a block of 100 each.
    const db = createClient({ url: `file:${this.dataDir}/hda.db` });
    await db.execute({ sql: 'UPDATE hdas SET next_port_seq = ? WHERE id = ?', args: [26000 + randomInt(0, 45) * 100, this.hdaId] });
    db.close();
    const enrolled = await runAgentCommand(['enroll', '--server', this.agentServerUrl(), '--code', created.enrollment_code], this.agentEnv());
    if (enrolled.code !== 0) throw new Error(`enroll failed: ${enrolled.output}`);
  }

  async teardown(): Promise<void> {
    await this.agent?.stop(10_000).catch(() => undefined);
    for (const id of this.identifiers) await this.removeEverything(id);
    await this.proxy?.close();
    await this.stopPlane('SIGTERM').catch(() => undefined);
    // Only this bed uses these names: untag them even if a container removed a moment ago still counts.
    for (const ref of Object.values(this.images))
      if (ref)
        await this.docker
          .getImage(ref)
          .remove({ force: true })
          .catch(() => undefined);
    for (const d of [this.dataDir, this.stateDir, this.faultDir]) rmSync(d, { recursive: true, force: true });
    if (this.ownAppsRoot) rmSync(this.appsRoot, { recursive: true, force: true });
  }

  /** Containers, networks, vhost and app folder of one identifier, straight through Docker and the fs. */
  async removeEverything(id: string): Promise<void> {
    await removeComposeProject(this.docker, id);
    for (const f of this.vhostsOf(id)) rmSync(join(this.tb.apacheSitesDir, f), { force: true });
    rmSync(join(this.appsRoot, id), { recursive: true, force: true });
  }

  // --- catalog and installs -----------------------------------------------------------------------

  /** Publishes an app with 1.0 (the web stand-in) and 2.0 (the alt stand-in); returns its slug. */
  /** `withFile`: 1.0 comes as an install script that also writes html/config.txt into the app folder. */
  async publish(prefix: string, opts: { slowStartS?: number; withFile?: boolean } = {}): Promise<string> {
    const slug = `${prefix}-${this.run}-${randomBytes(2).toString('hex')}`.slice(0, 40);
    await this.api('POST', '/api/catalog/apps', { slug, name: slug, description: 'busybox stand-in for the fault suite' });
    const compose = standinCompose(this.images.web, '', { slowStartS: opts.slowStartS });
    const script = `cat > html/config.txt << 'EOF'\nstand-in configuration\nEOF\ncat > docker-compose.yml << 'EOF'\n${compose}EOF\ndocker-compose up -d\n`;
    await this.api('POST', `/api/catalog/apps/${slug}/versions`, {
      version: '1.0',
      kind: 'container',
      ...(opts.withFile ? { install_script: script } : { compose }),
    });
    await this.api('POST', `/api/catalog/apps/${slug}/versions`, {
      version: '2.0',
      kind: 'container',
      compose: standinCompose(this.images.alt, '', { slowStartS: opts.slowStartS }),
    });
    this.identifiers.add(slug);
    return slug;
  }

  async install(slug: string, version = '1.0'): Promise<{ installId: string; taskId: string }> {
    const r = await this.api<{ install: { id: string }; task: { id: string } }>('POST', `/api/hdas/${this.hdaId}/installs`, { app: slug, version });
    return { installId: r.install.id, taskId: r.task.id };
  }

  async action(installId: string, action: string, extra: Record<string, unknown> = {}): Promise<string> {
    const r = await this.api<{ task: { id: string } }>('POST', `/api/installs/${installId}/actions`, { action, ...extra });
    return r.task.id;
  }

  taskView(taskId: string): Promise<TaskView> {
    return this.api<TaskView>('GET', `/api/tasks/${taskId}`, undefined, { retryUnreachableMs: 60_000 });
  }

  installView(installId: string): Promise<InstallView> {
    return this.api<InstallView>('GET', `/api/installs/${installId}`, undefined, { retryUnreachableMs: 60_000 });
  }

  async waitTask(taskId: string, timeoutMs = 180_000): Promise<TaskView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.taskView(taskId);
      if (isOneOf(FINAL_TASK_STATES, view.task.state)) return view;
      if (Date.now() > deadline) throw new Error(`task ${taskId} still ${view.task.state} after ${timeoutMs} ms; agent log:\n${this.agentOutput()}`);
      await sleep(250);
    }
  }

  /** Installs `slug` with a plain agent (already running or started here) and waits for success. */
  async installed(slug: string, version = '1.0'): Promise<{ installId: string; taskId: string }> {
    if (!this.agentAlive()) this.startAgent();
    const r = await this.install(slug, version);
    const v = await this.waitTask(r.taskId);
    if (v.task.state !== 'succeeded') throw new Error(`setup install of ${slug} ${v.task.state}: ${v.task.detail}\n${this.agentOutput()}`);
    return r;
  }

  // --- the agent ----------------------------------------------------------------------------------

  agentEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      HDA_AGENT_STATE_DIR: this.stateDir,
      HDA_AGENT_APPS_ROOT: this.appsRoot,
      HDA_AGENT_APACHE_SITES_DIR: this.tb.apacheSitesDir,
      HDA_AGENT_APACHE_CONFIGTEST: JSON.stringify(this.tb.configtest),
      HDA_AGENT_APACHE_RELOAD: JSON.stringify(this.tb.reload),
      HDA_AGENT_APACHE_URL: this.tb.apacheUrl,
      HDA_AGENT_HTTPS_PORT: String(this.tb.apacheHttpsPort ?? 0),
      HDA_AGENT_NAMES: 'off',
      HDA_AGENT_DOCKER_SOCKET: this.o.dockerSocket ?? this.tb.dockerSocket,
      HDA_AGENT_APACHE_LOG_DIR: this.tb.apacheLogDir,
      HDA_AGENT_COMPOSE: this.tb.compose,
      HDA_AGENT_HEARTBEAT_S: '2',
      HDA_AGENT_POLL_WAIT_S: '5',
      HDA_AGENT_HEALTH_TIMEOUT_S: '60',
      HDA_AGENT_LOG_LEVEL: 'debug',
      ...(this.planeUrl ? { HDA_AGENT_SERVER: this.agentServerUrl() } : {}),
      FAULT_HOLD: '',
      FAULT_DIR: '',
      ...extra,
    };
  }

  private keepLog(): void {
    if (this.agent) this.agentLog.push(...this.agent.output.splice(0), `---- agent pid ${this.agent.child.pid} ended ----`);
    if (this.agentLog.length > 3000) this.agentLog.splice(0, this.agentLog.length - 3000);
  }

  agentAlive(): boolean {
    return !!this.agent && this.agent.child.exitCode === null && this.agent.child.signalCode === null;
  }

  /** The real `hda-agent run` (agent/bin/hda-agent.mjs). */
  startAgent(): AgentProc {
    if (this.agentAlive()) throw new Error('an agent is already running');
    this.keepLog();
    this.agent = startAgentProcess(['run'], this.agentEnv());
    return this.agent;
  }

  /** `hda-agent run` with the fault hooks, stopping at `hold` (kind:step:phase, see agent-hooks.ts). */
  startHookedAgent(hold: string, extra: NodeJS.ProcessEnv = {}): AgentProc {
    if (this.agentAlive()) throw new Error('an agent is already running');
    this.keepLog();
    for (const f of ['held', 'release']) rmSync(join(this.faultDir, f), { force: true });
    this.agent = startAgentProcess(['run'], this.agentEnv({ FAULT_HOLD: hold, FAULT_DIR: this.faultDir, ...extra }), HOOKED_BIN);
    return this.agent;
  }

  async stopAgent(): Promise<void> {
    await this.agent?.stop(30_000);
  }

  /** Waits until the hooked agent stands at its hold point; returns what it wrote there. */
  async waitHeld(timeoutMs = 90_000): Promise<{ kind: string; step: string; phase: string; task: string; pid: number }> {
    const file = join(this.faultDir, 'held');
    const agent = this.agent!;
    return until(
      'the agent to reach its hold point',
      () => {
        if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
        if (agent.child.exitCode !== null || agent.child.signalCode !== null) throw new Error(`the agent exited before its hold point:\n${this.agentOutput()}`);
        return null;
      },
      timeoutMs,
      20,
    );
  }

  release(): void {
    writeFileSync(join(this.faultDir, 'release'), '');
  }

  agentOutput(lines = 120): string {
    return [...this.agentLog, ...(this.agent?.output ?? [])].slice(-lines).join('\n');
  }

  // --- what is on the host ------------------------------------------------------------------------

  containersOf(id: string) {
    return this.docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${id}`] } });
  }

  vhostsOf(id: string): string[] {
    const name = `hda-app-${id}.conf`;
    return existsSync(this.tb.apacheSitesDir) ? readdirSync(this.tb.apacheSitesDir).filter((n) => n === name || n.startsWith(`.${name}`)) : [];
  }

  journalFiles(): string[] {
    const dir = join(this.stateDir, 'journal');
    return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : [];
  }

  /**
   * The one check every case ends with, returned as a list of problems (empty: consistent):
   * - the task ended succeeded, or failed with a reason (a detail, a failed step, an Error event);
   * - its events are stored once each: seq runs 1..N with no gap and no repeat, one Finalized, last;
   * - the agent holds nothing back (no journal left: every event acknowledged, the result posted);
   * - the install state in the API describes the host: running = one running container, one vhost and
   *   the page answers through Apache; removed = no container and no vhost; otherwise no duplicate;
   * - no half-built app folder, temp file or pending vhost backup is left behind;
   * - `expect` adds what this case must end with when it succeeded.
   */
  async check(
    label: string,
    taskId: string,
    installId: string,
    expect: { state?: 'succeeded' | 'failed' | 'either'; installState?: string; body?: string; version?: string; rerun?: boolean; attempts?: number } = {},
  ): Promise<CaseOutcome> {
    const problems: string[] = [];
    const view = await this.waitTask(taskId);
    const { task, events } = view;
    const id = (await this.installView(installId)).install.identifier;
    let succeeded = 0;
    let failedWithReason = 0;
    if (task.state === 'succeeded') succeeded = 1;
    else if (task.state === 'failed') {
      const hasError = events.some((e) => e.status === 'Error');
      if (task.detail && task.detail.length > 3 && (hasError || task.failed_step)) failedWithReason = 1;
      else problems.push(`task failed without a reason (detail ${JSON.stringify(task.detail)}, step ${task.failed_step})`);
    } else problems.push(`task ended ${task.state}`);
    const want = expect.state ?? 'succeeded';
    if (want !== 'either' && task.state !== want) problems.push(`task ${task.state} (expected ${want}): ${task.detail}`);

    const seqs = events.map((e) => e.seq);
    if (seqs.some((s, i) => s !== i + 1)) problems.push(`event seqs not 1..${seqs.length}: ${seqs.join(',')}`);
    const finals = events.filter((e) => e.status === 'Finalized');
    if (finals.length !== 1 || events.at(-1)?.status !== 'Finalized') problems.push(`${finals.length} Finalized event(s), last is ${events.at(-1)?.status}`);
    const reruns = events.filter((e) => e.status === 'Warning' && /running the task again/.test(e.message)).length;
    if (expect.rerun === true && reruns !== 1) problems.push(`expected one re-run after the restart, saw ${reruns}`);
    if (expect.rerun === false && reruns !== 0) problems.push(`expected no re-run, saw ${reruns}`);
    if (expect.attempts !== undefined && task.attempts !== expect.attempts) problems.push(`task claimed ${task.attempts} time(s), expected ${expect.attempts}`);
    if (task.state === 'succeeded') {
      // The last run went through every step of the plan, each opened and closed.
      const lastRun = events.slice(
        Math.max(
          0,
          events.findLastIndex((e) => e.status === 'Warning' && /running the task again/.test(e.message)),
        ),
      );
      // In plan order, every step that is not conditional, each closed by Complete.
      const started = lastRun.filter((e) => e.status === 'Starting').map((e) => e.step ?? '');
      const plan = planOf(task.kind);
      let at = 0;
      const inOrder =
        started.every((name) => {
          while (at < plan.length && plan[at].name !== name) {
            if (!plan[at].conditional) return false;
            at++;
          }
          return at++ < plan.length;
        }) && plan.slice(at).every((p) => p.conditional);
      if (!inOrder) problems.push(`last run's steps ${started.join(',')} (plan ${plan.map((p) => p.name + (p.conditional ? '?' : '')).join(',')})`);
      for (const step of new Set(started)) {
        const own = lastRun.filter((e) => e.step === step).map((e) => e.status);
        if (own[0] !== 'Starting' || own.at(-1) !== 'Complete') problems.push(`step ${step} in the last run: ${own.join(',')}`);
      }
    }

    // The agent forgets a task once its result is posted; that follows the result by a moment.
    const journalLeft = await until('the agent journal to empty', () => this.journalFiles().length === 0, 10_000, 100).then(
      () => [] as string[],
      () => this.journalFiles(),
    );
    if (journalLeft.length) problems.push(`agent journal still holds ${journalLeft.join(', ')}`);

    const install = (await this.installView(installId)).install;
    if (expect.installState && install.state !== expect.installState) problems.push(`install state ${install.state} (expected ${expect.installState})`);
    if (expect.version && install.version !== expect.version) problems.push(`install version ${install.version} (expected ${expect.version})`);
    const containers = await this.containersOf(id);
    const vhosts = this.vhostsOf(id);
    const running = containers.filter((c) => c.State === 'running');
    switch (install.state) {
      case 'running': {
        if (containers.length !== 1 || running.length !== 1) problems.push(`install running but ${containers.length} container(s), ${running.length} running`);
        if (vhosts.join() !== `hda-app-${id}.conf`) problems.push(`install running but vhosts ${JSON.stringify(vhosts)}`);
        const page = await getThroughApache(this.tb, `${id}.${this.domain}`).catch((e: Error) => ({ status: 0, body: e.message }));
        if (page.status !== 200) problems.push(`install running but Apache answers ${page.status}`);
        else if (expect.body && !page.body.includes(expect.body)) problems.push(`page does not say ${JSON.stringify(expect.body)}: ${page.body.slice(0, 80)}`);
        break;
      }
      case 'removed':
        if (containers.length) problems.push(`install removed but ${containers.length} container(s) left`);
        if (vhosts.length) problems.push(`install removed but vhosts ${JSON.stringify(vhosts)}`);
        break;
      case 'stopped':
        if (containers.length !== 1 || running.length !== 0) problems.push(`install stopped but ${containers.length} container(s), ${running.length} running`);
        break;
      default:
        // failed (or a state in between): whatever is there, nothing twice.
        if (containers.length > 1) problems.push(`install ${install.state} with ${containers.length} containers`);
        if (vhosts.length > 1) problems.push(`install ${install.state} with vhosts ${JSON.stringify(vhosts)}`);
        if (['installing', 'updating', 'uninstalling'].includes(install.state)) problems.push(`install still ${install.state} after its task ended`);
    }

    const leftovers = existsSync(this.appsRoot) ? readdirSync(this.appsRoot).filter((n) => n.startsWith(`.${id}.tmp-`)) : [];
    const appDir = join(this.appsRoot, id);
    if (existsSync(appDir))
      leftovers.push(
        ...readdirSync(appDir)
          .filter((n) => n.endsWith('.tmp'))
          .map((n) => `${id}/${n}`),
      );
    if (leftovers.length) problems.push(`half-written files left: ${leftovers.join(', ')}`);
    const backups = existsSync(join(this.stateDir, 'vhost-backup')) ? readdirSync(join(this.stateDir, 'vhost-backup')).filter((n) => n.includes(id)) : [];
    if (backups.length) problems.push(`vhost backup still pending: ${backups.join(', ')}`);
    const record = existsSync(join(this.stateDir, 'installs', `${id}.json`));
    if (install.state === 'removed' && record) problems.push('agent still lists the removed install');
    if (install.state === 'running' && !record) problems.push('agent does not list the running install');

    return { label, problems, succeeded, failedWithReason };
  }
}
