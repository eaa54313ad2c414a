/** Workers bundle size from `wrangler deploy --dry-run` (it prints "Total Upload: X KiB / gzip: Y KiB"). */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { withTempDir } from '../lib/tmp';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BundleResult {
  totalKiB: number;
  gzipKiB: number;
  /** Size of the emitted index.js, bytes (what wrangler uploads, before gzip). */
  scriptBytes: number;
  wrangler: string;
}

export async function bundleSuite(): Promise<BundleResult> {
  return withTempDir('bundle', async (outdir) => {
    const { stdout, stderr } = await run('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', outdir], {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', NO_COLOR: '1' },
      maxBuffer: 16 * 1024 * 1024,
    });
    const text = `${stdout}\n${stderr}`;
    const m = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(text);
    if (!m) throw new Error(`wrangler printed no "Total Upload" line:\n${text.slice(-2000)}`);
    const version = /wrangler\s+(\d+\.\d+\.\d+)/.exec(text)?.[1] ?? 'unknown';
    return { totalKiB: Number(m[1]), gzipKiB: Number(m[2]), scriptBytes: (await stat(`${outdir}/index.js`)).size, wrangler: version };
  });
}
