/**
 * `npm run dev:worker` as a newcomer runs it on a clean checkout (a copy of the tracked files, no
 * `.dev.vars`, no local state): it writes `.dev.vars`, migrates the local D1, starts `wrangler dev`
 * (workerd, no network), and the admin it prints signs in to the Workers API. Also: an existing
 * `.dev.vars` is never overwritten, and `npm run keys` prints a usable private JWK.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSigner } from '../../worker/services/signer';
import { ensureDevVars } from '../../scripts/dev-vars';

const ROOT = join(import.meta.dirname, '..', '..');
const quiet = { WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_UPDATE_NOTIFIER: '1' };
const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const clean of cleanups.reverse()) clean();
});

/** The tracked (and new, unignored) files of this checkout in a fresh folder, sharing node_modules. */
function cleanCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dev-worker-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const files = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(ROOT, file))) continue; // deleted in the work tree, not yet committed
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Stops the command and everything it started (its own process group). */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    process.kill(-child.pid!, 'SIGTERM');
  });
}

/** Runs `npm run dev:worker` until it printed the admin and wrangler's URL. */
function startDevWorker(cwd: string, port: number): Promise<{ child: ChildProcess; out: string }> {
  const child = spawn('npm', ['run', 'dev:worker', '--', '--port', String(port), '--inspector-port', '0'], {
    cwd,
    env: { ...process.env, ...quiet },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  cleanups.push(() => void (child.exitCode === null && child.signalCode === null && process.kill(-child.pid!, 'SIGKILL')));
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev:worker was not ready within 150 s:\n${out}`)), 150_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      if (/password:\s+\S+/.test(out) && /Ready on http:\/\/\S+/.test(out)) {
        clearTimeout(timer);
        resolve({ child, out });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`dev:worker exited with ${code}:\n${out}`)));
  });
}

describe('npm run dev:worker', () => {
  it('on a clean checkout: writes .dev.vars, serves the Workers API, and the printed admin signs in', async () => {
    const dir = cleanCheckout();
    expect(existsSync(join(dir, '.dev.vars'))).toBe(false);
    const { child, out } = await startDevWorker(dir, await freePort());
    try {
      const url = /Ready on (http:\/\/\S+)/.exec(out)![1];
      const email = /email:\s+(\S+)/.exec(out)![1];
      const password = /password:\s+(\S+)/.exec(out)![1];
      expect(statSync(join(dir, '.dev.vars')).mode & 0o777).toBe(0o600);

      const health = await fetch(`${url}/healthz`);
      expect(health.status, await health.clone().text()).toBe(200);
      const login = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      expect(login.status, await login.clone().text()).toBe(200);
      const { token, user } = (await login.json()) as { token: string; user: { email: string; role: string } };
      expect(user).toMatchObject({ email, role: 'admin' });
      const me = await fetch(`${url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await me.json()) as { email: string }).email).toBe(email);
      const catalog = (await (await fetch(`${url}/api/catalog/apps`)).json()) as { apps: unknown[] };
      expect(catalog.apps.length).toBeGreaterThan(0);
    } finally {
      await stop(child);
    }
  }, 240_000);

  it('never overwrites an existing .dev.vars', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-vars-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, '.dev.vars');
    writeFileSync(path, 'JWT_SECRET=mine-and-only-mine-mine-and-only-mine\n');
    expect(await ensureDevVars(path)).toEqual({ created: null });
    expect(readFileSync(path, 'utf8')).toBe('JWT_SECRET=mine-and-only-mine-mine-and-only-mine\n');
    const fresh = join(dir, 'new.vars');
    const made = await ensureDevVars(fresh);
    expect(made.created?.email).toBe('admin@localhost');
    expect(readFileSync(fresh, 'utf8')).toContain(`ADMIN_PASSWORD=${made.created!.password}\n`);
  });

  it('npm run keys prints a private JWK the plane signs with', () => {
    const r = spawnSync('npm', ['run', '-s', 'keys'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...quiet }, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const jwk = JSON.parse(r.stdout);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(typeof jwk.d).toBe('string');
    expect(createSigner(jwk).kid).toBe(jwk.kid);
  });
});
