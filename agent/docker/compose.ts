/**
 * Runs Docker Compose for one project: the Compose v2 plugin (`docker compose`) where it exists,
 * else v1 (`docker-compose`), detected once. Compose reads only what the agent hands it: the rendered
 * file (`--file`), the project name, an empty `--env-file` (so no `.env` beside the file is read), an
 * environment of its own (nothing of the agent's: no COMPOSE_*, DOCKER_CONFIG, ...) and a working
 * directory and HOME in the agent's state dir that no container is given.
 */
import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, tailLines, type RunResult } from '../exec';

/** System folders only: Compose and the Docker CLI plugins it needs, nothing a user put first. */
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

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
  /** The rendered compose file (absolute paths inside), kept where no container can write. */
  file: string;
}

export interface ComposeRunnerOptions {
  /** A folder only the agent writes (in its state dir): Compose's working directory and HOME, and its empty env file. */
  runDir?: string;
  candidates?: Record<ComposeFlavor, string[]>;
}

/** The environment Compose runs with: built from nothing, so no variable of the agent's reaches it. */
export function composeEnv(dockerSocket: string, home: string): NodeJS.ProcessEnv {
  return { PATH: SYSTEM_PATH, HOME: home, DOCKER_HOST: `unix://${dockerSocket}`, COMPOSE_INTERACTIVE_NO_CLI: '1', LANG: 'C.UTF-8' };
}

export class ComposeRunner {
  private detected: Promise<ComposeInfo> | null = null;
  private readonly candidates: Record<ComposeFlavor, string[]>;
  private readonly runDir?: string;

  constructor(
    private readonly dockerSocket: string,
    private readonly prefer: 'auto' | ComposeFlavor = 'auto',
    opts: ComposeRunnerOptions = {},
  ) {
    this.candidates = opts.candidates ?? { v2: ['docker', 'compose'], v1: ['docker-compose'] };
    this.runDir = opts.runDir;
  }

  /** The run folder (0700, a real folder, not a link) and its empty env file, made again on every call. */
  private prepareRunDir(): { dir: string; envFile: string } {
    if (!this.runDir) throw new ComposeError('no run folder configured for Compose');
    mkdirSync(this.runDir, { recursive: true, mode: 0o700 });
    const st = lstatSync(this.runDir);
    if (!st.isDirectory() || st.uid !== (process.getuid?.() ?? st.uid)) throw new ComposeError(`${this.runDir} is not a folder of the agent's own`);
    const envFile = join(this.runDir, 'empty.env');
    writeFileSync(envFile, '', { mode: 0o600 });
    return { dir: this.runDir, envFile };
  }

  private env(home = this.runDir ?? '/nonexistent'): NodeJS.ProcessEnv {
    return composeEnv(this.dockerSocket, home);
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

  /** Runs `<compose> --project-name <project> --file <file> --env-file <empty> <args...>` in the run folder. */
  async run(p: ComposeProject, args: string[], opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RunResult> {
    const info = await this.detect();
    const { dir, envFile } = this.prepareRunDir();
    const argv = [...info.argv, '--project-name', p.project, '--file', p.file, '--env-file', envFile, ...args];
    const r = await runCommand(argv, { cwd: dir, env: this.env(dir), timeoutMs: opts.timeoutMs ?? 600_000, signal: opts.signal });
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

  /** Starts the project's existing containers (restart = stop, bind check, start). */
  start(p: ComposeProject, opts?: { signal?: AbortSignal }) {
    return this.run(p, ['start'], opts);
  }
}
