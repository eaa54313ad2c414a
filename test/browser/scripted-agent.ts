/**
 * A scripted HDA agent for browser tests where no Docker is needed: it speaks agent protocol v1
 * (core/protocol.ts) over HTTP — enroll, long-poll for tasks, report events and results, heartbeat —
 * and "runs" each task as a plausible sequence of steps with an image pull reported in bytes.
 */
import {
  isOneOf,
  VERSION_CHANGING_KINDS,
  type ClaimedTask,
  type EnrollResponse,
  type HeartbeatInput,
  type HostFacts,
  type TaskEventInput,
  type TaskResultInput,
} from '../../core/protocol';

export const FACTS: HostFacts = {
  hostname: 'hda-test',
  os: 'Debian GNU/Linux 13',
  arch: 'x64',
  cpu_model: 'Test CPU 3.0GHz',
  cpus: 4,
  memory_bytes: 8 * 1024 ** 3,
  disk_free_bytes: 120 * 1024 ** 3,
  docker_version: '26.1.5',
  compose_version: '1.29.2',
  compose_flavor: 'v1',
  agent_version: '0.1.0-scripted',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class StepFailed extends Error {
  constructor(
    readonly step: string,
    readonly detail: string,
  ) {
    super(`${step}: ${detail}`);
  }
}

export class ScriptedAgent {
  token = '';
  hdaId = '';
  readonly handled: ClaimedTask[] = [];
  /** The next task of this kind fails at this step with this detail (what a real tool printed). */
  failNext: { kind: string; step: string; detail: string } | null = null;
  /** Tasks stop before this step until release() (a task the agent has started and not finished). */
  holdBefore: string | null = null;
  /** While true the agent does not poll: tasks stay queued (see pause()). */
  paused = false;
  private pausedSeen: (() => void) | null = null;
  private releaseHold: (() => void) | null = null;
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly server: string,
    private readonly stepDelayMs = 120,
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${this.server}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }

  private async ok(method: string, path: string, body?: unknown): Promise<any> {
    const res = await this.call(method, path, body);
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? null : res.json();
  }

  async enroll(code: string): Promise<EnrollResponse> {
    const r = (await this.ok('POST', '/agent/v1/enroll', { code, hostname: FACTS.hostname, facts: FACTS })) as EnrollResponse;
    this.token = r.token;
    this.hdaId = r.hda_id;
    return r;
  }

  heartbeat(apps: HeartbeatInput['apps'] = [], metrics?: HeartbeatInput['metrics'], lan?: HeartbeatInput['lan']): Promise<unknown> {
    return this.ok('POST', '/agent/v1/heartbeat', { facts: FACTS, apps, ...(metrics ? { metrics } : {}), ...(lan ? { lan } : {}) });
  }

  /** Polls and runs tasks in the background until stop(). */
  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        if (this.paused) {
          this.pausedSeen?.();
          this.pausedSeen = null;
          await sleep(50);
          continue;
        }
        let res: Response;
        try {
          res = await this.call('GET', '/agent/v1/tasks?wait=1');
        } catch {
          await sleep(200);
          continue;
        }
        if (res.status === 204) continue;
        if (!res.ok) throw new Error(`poll: ${res.status} ${await res.text()}`);
        const { tasks } = (await res.json()) as { tasks: ClaimedTask[] };
        for (const t of tasks) await this.run(t);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => undefined);
  }

  /** Stops polling; resolves once no poll is in flight, so a task queued now stays queued. */
  pause(): Promise<void> {
    this.paused = true;
    return new Promise((r) => (this.pausedSeen = r));
  }

  /** Lets a task held by holdBefore go on. */
  release(): void {
    this.holdBefore = null;
    this.releaseHold?.();
    this.releaseHold = null;
  }

  /** Resolves when `n` tasks have been handled (or fails after timeoutMs). */
  async waitForTasks(n: number, timeoutMs = 20_000): Promise<ClaimedTask> {
    const until = Date.now() + timeoutMs;
    while (this.handled.length < n) {
      if (Date.now() > until) throw new Error(`agent handled ${this.handled.length} tasks, expected ${n}`);
      await sleep(50);
    }
    return this.handled[n - 1];
  }

  private async run(task: ClaimedTask): Promise<void> {
    let seq = 0;
    const send = async (status: TaskEventInput['status'], step: string | undefined, message: string, data?: Record<string, unknown>) => {
      await this.ok('POST', `/agent/v1/tasks/${task.id}/events`, [{ seq: ++seq, status, step, message, ...(data ? { data } : {}) }]);
      await sleep(this.stepDelayMs);
    };
    const failing = this.failNext?.kind === task.kind ? this.failNext : null;
    if (failing) this.failNext = null;
    const step = async (name: string, what: string, inside?: () => Promise<void>) => {
      if (this.holdBefore === name) await new Promise<void>((r) => (this.releaseHold = r));
      await send('Starting', name, what);
      if (failing?.step === name) {
        await send('Error', name, failing.detail);
        throw new StepFailed(name, failing.detail);
      }
      if (inside) await inside();
      else await send('OK', name, `${what}: ok`);
      await send('Complete', name, 'done');
    };
    const install = 'install' in task.payload ? task.payload.install : undefined;
    const identifier = install?.identifier ?? 'hda';
    const hostname = install?.hostname ?? 'hda';
    try {
      if (isOneOf(VERSION_CHANGING_KINDS, task.kind)) {
        const image = 'example/hello:1';
        await step('verify', 'checking the catalog signature');
        await step('render', 'filling in HOST_PORT and the hostname');
        await step('pull', `pulling ${image}`, async () => {
          const total = 48 * 1024 * 1024;
          for (const part of [0.1, 0.45, 0.8, 1]) {
            await send('Progress', 'pull', `pulling ${image}`, {
              image,
              current: Math.round(total * part),
              total,
              layers: 3,
              layers_done: Math.floor(part * 3),
            });
          }
        });
        await step('up', `docker compose -p ${identifier} up -d`);
        await step('vhost', `writing the vhost for ${hostname}`);
        await step('probe', `http://${hostname}/ answers`);
      } else if (task.kind === 'logs') {
        const logs = task.payload.logs;
        await step('logs', `last ${logs?.tail ?? 0} lines`, async () => {
          await send('OK', 'logs', 'stdout of hello', {
            container: 'hello',
            stream: 'stdout',
            lines: ['listening on :80', 'GET / 200', '<script>window.__xss = 3</script>'],
          });
          await send('OK', 'logs', 'stderr of hello', { container: 'hello', stream: 'stderr', lines: ['warning: no TLS configured'] });
          // Following: a few new lines, over a short stand-in for follow_s (a real agent streams for follow_s).
          for (let i = 1; logs?.follow_s && i <= 3; i++) {
            await sleep(250);
            await send('OK', 'logs', 'new lines', { container: 'hello', stream: i === 2 ? 'stderr' : 'stdout', lines: [`followed line ${i}`] });
          }
        });
      } else if (task.kind === 'prune') {
        await step('prune', 'removing images no install uses', async () => {
          await send('OK', 'prune', 'removed example/old:1', { image: 'example/old:1', bytes_freed: 30 * 1024 * 1024 });
          await send('OK', 'prune', 'removed example/old:2', { image: 'example/old:2', bytes_freed: 20 * 1024 * 1024 });
        });
      } else {
        const name = task.kind === 'uninstall' ? 'down' : 'up';
        await step(name, `${task.kind} ${identifier}`);
      }
    } catch (err) {
      if (!(err instanceof StepFailed)) throw err;
      // What a real agent reports for a failed step: the step and the tool's output as the detail.
      await this.ok('POST', `/agent/v1/tasks/${task.id}/result`, {
        state: 'failed',
        step: err.step,
        detail: err.detail,
        app_state: 'exited',
      } satisfies TaskResultInput);
      this.handled.push(task);
      return;
    }
    const pruned = task.kind === 'prune' ? { bytes_freed: 50 * 1024 * 1024 } : undefined;
    await send('Finalized', undefined, task.kind === 'prune' ? 'unused images removed' : `${task.kind} of ${identifier} finished`, pruned);
    // What ran, as a real agent reports it: the images of the version's compose (name -> id).
    const version = 'version' in task.payload ? task.payload.version : undefined;
    const images = version?.compose
      ? Object.fromEntries(
          [...version.compose.matchAll(/image:\s*"?([^"\s]+)"?/g)].map((m) => [
            m[1],
            `sha256:${m[1]
              .replace(/[^a-z0-9]/g, '')
              .padEnd(12, '0')
              .slice(0, 12)}`,
          ]),
        )
      : undefined;
    const result: TaskResultInput = {
      ...(images && isOneOf(VERSION_CHANGING_KINDS, task.kind) ? { images } : {}),
      state: 'succeeded',
      detail: task.kind === 'prune' ? 'removed 2 images' : `${task.kind} finished`,
      ...(task.kind === 'logs' || task.kind === 'prune'
        ? {}
        : { app_state: task.kind === 'stop' ? 'stopped' : task.kind === 'uninstall' ? 'removed' : 'running' }),
    };
    await this.ok('POST', `/agent/v1/tasks/${task.id}/result`, result);
    this.handled.push(task);
  }
}
