/**
 * The Workers bundle builds from the same sources (`wrangler deploy --dry-run`) as deployed (lean: see
 * wrangler.toml), runs in workerd as built, and no module of the app is Node-only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A throwaway key and admin for this test only.
const TEST_KEY = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI',
  kid: 'bundle-test',
  alg: 'ES256',
};
const ADMIN_ENV = { ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'admin-password-1' };

const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false' };

describe('Workers bundle', () => {
  let out = '';
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'wrangler-out-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('wrangler deploy --dry-run builds worker/index.ts, minified, with zod in English only', () => {
    const r = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out], { env, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/env\.DB/);
    expect(existsSync(join(out, 'index.js'))).toBe(true);
    const script = readFileSync(join(out, 'index.js'), 'utf8');
    expect(script.length).toBeGreaterThan(10_000);
    // zod's German and French messages stay out; its English ones are in.
    expect(script).not.toMatch(/Ungültige Eingabe|Entrée invalide/);
    expect(script).toMatch(/Invalid input/);
    // Minified: few line breaks for its size (wrangler's defaults emit one per 40 bytes or so).
    expect(script.split('\n').length).toBeLessThan(script.length / 200);
  }, 120_000);

  it('the built bundle serves inside workerd: a sign-in through the Durable Object and an English refusal', async () => {
    const mf = new Miniflare({
      modules: true,
      modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }],
      modulesRoot: out,
      scriptPath: join(out, 'index.js'),
      compatibilityDate: '2026-05-01',
      compatibilityFlags: ['nodejs_compat', 'enable_request_signal'],
      d1Databases: ['DB'],
      durableObjects: { LOGIN_THROTTLE: { className: 'LoginThrottleObject', useSQLite: true } },
      bindings: { JWT_SECRET: 'bundle-test-secret-bundle-test-secret', CATALOG_SIGNING_KEY: JSON.stringify(TEST_KEY), ...ADMIN_ENV },
    });
    try {
      const db = await mf.getD1Database('DB');
      for (const file of readdirSync('db/migrations')
        .filter((f) => f.endsWith('.sql'))
        .sort()) {
        for (const statement of readFileSync(join('db/migrations', file), 'utf8').split('--> statement-breakpoint'))
          await db.exec(statement.replace(/\n/g, ' '));
      }
      const login = await mf.dispatchFetch('https://cp.example/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: ADMIN_ENV.ADMIN_EMAIL, password: ADMIN_ENV.ADMIN_PASSWORD }),
      });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      const refused = await mf.dispatchFetch('https://cp.example/api/hdas', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ name: 'x', domain: 'not a domain' }),
      });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(await refused.json())).toMatch(/Domain must be/);
    } finally {
      await mf.dispose();
    }
  }, 120_000);

  it('no module the Workers entry reaches imports a Node-only module', () => {
    // worker/node*.ts are the Node entry and its adapters; everything else must run on Workers.
    const shared = ['worker', 'core', 'db']
      .flatMap((dir) => walk(dir))
      .filter((f) => f.endsWith('.ts') && !/worker\/node[^/]*\.ts$/.test(f) && !f.endsWith('db/migrate.ts'));
    const offenders = shared.filter((f) => /from\s+['"](node:|fs|path|child_process|os)['"/]/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}
