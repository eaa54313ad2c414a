/**
 * The agent CLI bundled into one ESM file with esbuild (dependencies left in node_modules), so it runs
 * on plain node without tsx's loader thread. Written under bench/.cache/ so node_modules resolve.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = fileURLToPath(new URL('../.cache/', import.meta.url));

/** The bundle's path, or null when esbuild is not available. */
export async function bundleAgent(): Promise<string | null> {
  await mkdir(CACHE, { recursive: true });
  const entry = `${CACHE}agent-entry.ts`;
  const out = `${CACHE}agent-bundle.mjs`;
  await writeFile(entry, `import { main } from '../../agent/cli';\nprocess.exitCode = await main(process.argv.slice(2));\n`);
  try {
    await promisify(execFile)(`${ROOT}node_modules/.bin/esbuild`, [entry, '--bundle', '--platform=node', '--format=esm', '--packages=external', '--log-level=error', `--outfile=${out}`], { cwd: ROOT });
    return out;
  } catch {
    return null;
  }
}
