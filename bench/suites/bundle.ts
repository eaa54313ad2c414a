/**
 * The Workers bundle as deployed (wrangler.toml: minified, English-only zod) against the same sources
 * built with wrangler's defaults (the baseline, a copy of wrangler.toml without the lean settings):
 * gzip size from `wrangler deploy --dry-run`, and startup CPU from `wrangler check startup` (a CPU
 * profile of the Worker's top-level evaluation in local workerd), alternating rounds, medians.
 */
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { median } from '../lib/stats';
import { withTempDir } from '../lib/tmp';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENV = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', NO_COLOR: '1' };
const ROUNDS = 5;

export interface BuildFigures {
  totalKiB: number;
  gzipKiB: number;
  /** Size of the emitted index.js, bytes (what wrangler uploads, before gzip). */
  scriptBytes: number;
  /** Median CPU time of the Worker's startup (top-level evaluation), ms. */
  startupCpuMs: number;
}

export interface BundleResult extends BuildFigures {
  wrangler: string;
  baseline: BuildFigures;
  rounds: number;
}

async function wrangler(args: string[]): Promise<string> {
  const { stdout, stderr } = await run('npx', ['wrangler', ...args], { cwd: ROOT, env: ENV, maxBuffer: 16 * 1024 * 1024 });
  return `${stdout}\n${stderr}`;
}

/** wrangler.toml without the lean settings, its relative paths made absolute (it lives in a temp dir). */
async function baselineConfig(dir: string): Promise<string> {
  const text = (await readFile(join(ROOT, 'wrangler.toml'), 'utf8'))
    .replace(/^(minify|keep_names)\s*=.*$/gm, '')
    .replace(/^\[alias\][^[]*/m, '')
    .replace(/^(main|directory|migrations_dir)\s*=\s*"(?!\/)([^"]+)"/gm, (_, key, path) => `${key} = "${join(ROOT, path)}"`);
  const file = join(dir, 'wrangler.baseline.toml');
  await writeFile(file, text);
  return file;
}

async function build(config: string, outdir: string) {
  const text = await wrangler(['deploy', '--dry-run', '-c', config, '--outdir', outdir]);
  const m = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(text);
  if (!m) throw new Error(`wrangler printed no "Total Upload" line:\n${text.slice(-2000)}`);
  const version = /wrangler\s+(\d+\.\d+\.\d+)/.exec(text)?.[1] ?? 'unknown';
  return { totalKiB: Number(m[1]), gzipKiB: Number(m[2]), scriptBytes: (await stat(join(outdir, 'index.js'))).size, version };
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string } }>;
  samples: number[];
  timeDeltas: number[];
}

/** CPU time of a startup profile: every sample that is not the idle wait before evaluation begins, ms. */
export function startupCpuMs(profile: CpuProfile): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  let us = 0;
  profile.samples.forEach((node, i) => {
    if (!idle.has(node)) us += profile.timeDeltas[i] ?? 0;
  });
  return us / 1000;
}

async function startup(config: string, outfile: string): Promise<number> {
  await wrangler(['check', 'startup', '-c', config, '--outfile', outfile]);
  return startupCpuMs(JSON.parse(await readFile(outfile, 'utf8')) as CpuProfile);
}

export async function bundleSuite(): Promise<BundleResult> {
  return withTempDir('bundle', async (dir) => {
    const lean = join(ROOT, 'wrangler.toml');
    const base = await baselineConfig(dir);
    const leanBuild = await build(lean, join(dir, 'lean'));
    const baseBuild = await build(base, join(dir, 'base'));
    const cpu = { lean: [] as number[], base: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      cpu.lean.push(await startup(lean, join(dir, `lean-${i}.cpuprofile`)));
      cpu.base.push(await startup(base, join(dir, `base-${i}.cpuprofile`)));
    }
    const figures = ({ version: _, ...b }: Awaited<ReturnType<typeof build>>, ms: number[]) => ({ ...b, startupCpuMs: median(ms) });
    return { ...figures(leanBuild, cpu.lean), wrangler: leanBuild.version, baseline: figures(baseBuild, cpu.base), rounds: ROUNDS };
  });
}
