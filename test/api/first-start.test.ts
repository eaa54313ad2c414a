/**
 * The README's first command as a newcomer runs it: `npm start` on an empty data folder prints the
 * admin it created, and those printed words sign in.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Email, LoginEmail } from '../../worker/validation';
import { spawnNpmStart, stopNpmStart } from '../helpers/npm-start';

let child: ChildProcess | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await stopNpmStart(child);
  child = undefined;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Starts `npm start` and resolves with its output once it printed the admin's password. */
function startAsNewcomer(env: Record<string, string>): Promise<string> {
  child = spawnNpmStart({ PORT: '0', LOCAL_AGENT: 'false', ...env });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no admin within 60 s:\n${out}`)), 60_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      if (/password:\s+\S+/.test(out) && /listening on http/.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child!.stdout!.on('data', read);
    child!.stderr!.on('data', read);
    child!.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
  });
}

describe('first start', () => {
  it('prints an admin whose email and password sign in', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'first-start-'));
    const env: Record<string, string> = { DATA_DIR: dataDir, ADMIN_EMAIL: '', ADMIN_PASSWORD: '' };
    const out = await startAsNewcomer(env);
    const url = /listening on (http:\/\/\S+)/.exec(out)![1];
    const email = /email:\s+(\S+)/.exec(out)![1];
    const password = /password:\s+(\S+)/.exec(out)![1];
    expect(email).toBe('admin@localhost');
    const res = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { user: { email: string } }).user.email).toBe(email);
  }, 90_000);

  it('accepts single-label hosts in emails and reads any sign-in text as an answer, not a format error', () => {
    expect(Email.safeParse('admin@localhost').success).toBe(true);
    expect(Email.safeParse('Me@Example.COM').data).toBe('me@example.com');
    expect(Email.safeParse('not an email').success).toBe(false);
    expect(Email.safeParse('a@-bad-.com').success).toBe(false);
    expect(LoginEmail.safeParse('whatever').success).toBe(true);
  });
});
