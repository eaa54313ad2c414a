/**
 * Runs a program from an argv array (never a shell string, so nothing from the catalog is ever
 * interpreted by a shell) and collects its output, with a timeout and an abort signal.
 */
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the program could not be started at all (not installed, not executable). */
  notFound?: boolean;
  timedOut?: boolean;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with each chunk of output as it arrives (for logging long commands). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  maxOutputBytes?: number;
}

export function runCommand(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (argv.length === 0) return Promise.resolve({ code: null, signal: null, stdout: '', stderr: 'empty command', notFound: true });
  const max = opts.maxOutputBytes ?? 1024 * 1024;
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(argv[0], argv.slice(1), {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const finish = (r: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAbort = () => child.kill('SIGTERM');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.stdout.on('data', (b: Buffer) => {
      const s = b.toString();
      if (stdout.length < max) stdout += s;
      opts.onOutput?.(s, 'stdout');
    });
    child.stderr.on('data', (b: Buffer) => {
      const s = b.toString();
      if (stderr.length < max) stderr += s;
      opts.onOutput?.(s, 'stderr');
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish({ code: null, signal: null, stdout, stderr: stderr || err.message, notFound: err.code === 'ENOENT' || err.code === 'EACCES' });
    });
    child.on('close', (code, signal) => finish({ code, signal, stdout, stderr, timedOut }));
  });
}

/** The last non-empty lines of a command's output, for a one-line failure reason. */
export function tailLines(text: string, n = 3): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' | ');
}
