/** The Workers bundle builds from the same sources (`wrangler deploy --dry-run`), with no Node-only module in the app. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false' };

describe('Workers bundle', () => {
  it('wrangler deploy --dry-run builds worker/index.ts', () => {
    const out = mkdtempSync(join(tmpdir(), 'wrangler-out-'));
    const r = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out], { env, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/env\.DB/);
    expect(existsSync(join(out, 'index.js'))).toBe(true);
    expect(statSync(join(out, 'index.js')).size).toBeGreaterThan(10_000);
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
