/**
 * Runs Docker Compose for one project: the Compose v2 plugin (`docker compose`) where it exists,
 * else v1 (`docker-compose`), detected once. Every call names the project (-p <identifier>) and the
 * file, and talks to the configured Docker socket.
 */
import { runCommand, tailLines, type RunResult } from '../exec';

export type ComposeFlavor = 'v1' | 'v2';

export interface ComposeInfo {
  flavor: ComposeFlavor;
  version: string;
  argv: string[];
}

export class ComposeError extends Error {
  constructor(
    message: string,
    readonly result?: RunResult,
  ) {
    super(message);
    this.name = 'ComposeError';
  }
}

export interface ComposeProject {
  project: string;
  file: string;
  cwd: string;
}

export class ComposeRunner {
  private detected: Promise<ComposeInfo> | null = null;

  constructor(
    private readonly dockerSocket: string,
    private readonly prefer: 'auto' | ComposeFlavor = 'auto',
    private readonly candidates: Record<ComposeFlavor, string[]> = { v2: ['docker', 'compose'], v1: ['docker-compose'] },
  ) {}

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: `unix://${this.dockerSocket}`, COMPOSE_INTERACTIVE_NO_CLI: '1' };
  }

  /** Which Compose to drive; detected on first use and remembered. */
  detect(): Promise<ComposeInfo> {
    if (!this.detected) {
      this.detected = this.probe();
      this.detected.catch(() => (this.detected = null));
    }
    return this.detected;
  }

  private async probe(): Promise<ComposeInfo> {
    const order: ComposeFlavor[] = this.prefer === 'auto' ? ['v2', 'v1'] : [this.prefer];
    const tried: string[] = [];
    for (const flavor of order) {
      const argv = this.candidates[flavor];
      const r = await runCommand([...argv, 'version', '--short'], { env: this.env(), timeoutMs: 20_000 });
      if (r.code === 0 && r.stdout.trim()) return { flavor, version: r.stdout.trim().replace(/^v/, ''), argv };
      tried.push(`${argv.join(' ')}: ${tailLines(r.stderr || r.stdout, 1) || `exit ${r.code}`}`);
    }
    throw new ComposeError(`no Docker Compose found (${tried.join('; ')})`);
  }

  /** Runs `<compose> -p <project> -f <file> <args...>` in the app folder. */
  async run(p: ComposeProject, args: string[], opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RunResult> {
    const info = await this.detect();
    const argv = [...info.argv, '--project-name', p.project, '--file', p.file, ...args];
    const r = await runCommand(argv, { cwd: p.cwd, env: this.env(), timeoutMs: opts.timeoutMs ?? 600_000, signal: opts.signal });
    if (r.code !== 0) {
      const why = r.timedOut ? 'timed out' : tailLines(r.stderr || r.stdout, 3) || `exit code ${r.code}`;
      throw new ComposeError(`${args[0]} failed: ${why}`, r);
    }
    return r;
  }

  up(p: ComposeProject, opts?: { signal?: AbortSignal }) {
    return this.run(p, ['up', '-d', '--remove-orphans'], opts);
  }

  down(p: ComposeProject, opts: { volumes?: boolean; signal?: AbortSignal } = {}) {
    return this.run(p, ['down', '--remove-orphans', ...(opts.volumes ? ['--volumes'] : [])], opts);
  }

  stop(p: ComposeProject, opts?: { signal?: AbortSignal }) {
    return this.run(p, ['stop'], opts);
  }

  restart(p: ComposeProject, opts?: { signal?: AbortSignal }) {
    return this.run(p, ['restart'], opts);
  }
}
