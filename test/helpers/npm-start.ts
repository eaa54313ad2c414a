/**
 * `npm start` as a newcomer runs it, in a process group of its own: stopping the group stops the
 * server that npm and tsx started too (a SIGTERM to npm alone left the server running after the test).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

export function spawnNpmStart(env: Record<string, string>): ChildProcess {
  return spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

/** Stops everything `npm start` started and waits for npm to exit (at most 10 s). */
export async function stopNpmStart(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid) return;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return; // the group is gone already
  }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
}
