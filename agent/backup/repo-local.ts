/**
 * The HDA's local snapshot repository, under the agent's state dir: the repository, its cache, and a
 * password generated on first use (mode 0600, never leaves the HDA, never logged).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import type { ResticRepo } from './restic';

/** Creates the password file when missing (exclusively, so two starts never race to different passwords). */
export function ensurePasswordFile(path: string): void {
  if (!existsSync(path)) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${randomBytes(32).toString('base64url')}\n`);
      fsyncSync(fd);
      closeSync(fd);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  if (readFileSync(path, 'utf8').trim() === '')
    throw new Error(`snapshot password file ${path} is empty; restore it from your records or remove the repository`);
}

/** The local repository of the agent whose state dir is `stateDir` (folders made, password ensured). */
export function localRepo(stateDir: string): ResticRepo {
  const base = join(stateDir, 'snapshots');
  mkdirSync(base, { recursive: true, mode: 0o700 });
  chmodSync(base, 0o700);
  const passwordFile = join(base, 'password');
  ensurePasswordFile(passwordFile);
  return { repository: join(base, 'repo'), passwordFile, cacheDir: join(base, 'cache') };
}
