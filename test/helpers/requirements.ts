/**
 * One place that decides what a test does when a real part (Docker, Compose, Apache, Chromium) is
 * missing: skip with a one-line reason on a dev machine, fail under CI=true so a green CI run never
 * hides a skipped suite.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const IN_CI = process.env.CI === 'true';

/**
 * Returns true when `available`; otherwise prints why the suite is skipped and returns false, or
 * throws when CI=true. Use as: `describe.skipIf(!requireOrSkip('docker-compose', ok, 'not installed'))(...)`.
 */
export function requireOrSkip(name: string, available: boolean, reason = 'not available'): boolean {
  if (available) return true;
  const line = `${name}: ${reason}`;
  if (IN_CI) throw new Error(`required under CI=true but missing: ${line}`);
  console.warn(`SKIP (${line})`);
  return false;
}

/** True when `cmd args...` runs and exits 0 within the timeout (argv array, no shell). */
export function commandWorks(cmd: string, args: string[] = ['--version'], timeoutMs = 15_000): boolean {
  if (cmd.includes('/') && !existsSync(cmd)) return false;
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: timeoutMs });
  return r.status === 0;
}
