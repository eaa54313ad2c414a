// Where the prebuilt agent lives and whether it was built from the sources in this tree.
//
// `npm run build:agent` (scripts/build-agent.mjs; `npm ci` and `npm install` run it through
// `prepare`) bundles agent/cli.ts into dist/hda-agent.mjs and writes dist/hda-agent.json: each source
// file that went into the bundle, and the package.json of each bundled package, with its size, mtime
// and SHA-256. The bundle is fresh when every one of them is still there with the same size, and
// either the same mtime or the same content (a checkout that touched a file without changing it still
// counts as fresh). A file changed or gone since the build makes it stale, and hda-agent then runs
// the sources through tsx instead.
//
// One stat per input and no more: a check that runs long enough to get optimized by V8 costs the
// daemon a few MB of resident memory for the rest of its life (about 130 stats did, here).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout (or installed package) root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** One level below ROOT on purpose: agent/version.ts reads ../package.json next to the code. */
export const DIST = join(ROOT, 'dist');
export const AGENT_BUNDLE = join(DIST, 'hda-agent.mjs');
export const AGENT_MANIFEST = join(DIST, 'hda-agent.json');

export function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** `{ fresh: true }`, or `{ fresh: false, why }` saying what is missing or changed. */
export function bundleState(where = { root: ROOT, bundle: AGENT_BUNDLE, manifest: AGENT_MANIFEST }) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(where.manifest, 'utf8'));
    statSync(where.bundle);
  } catch {
    return { fresh: false, why: 'dist/hda-agent.mjs is not built' };
  }
  const inputs = Object.entries(manifest?.inputs ?? {});
  if (inputs.length === 0) return { fresh: false, why: 'dist/hda-agent.json lists no inputs' };
  // Concatenated, not path.join: each call that makes node's path code hot brings V8's optimizing
  // compiler (and its ~4 MB of code pages) in sooner.
  const base = where.root.endsWith(sep) ? where.root : where.root + sep;
  for (const [rel, was] of inputs) {
    const path = base + rel;
    let now;
    try {
      now = statSync(path);
    } catch {
      return { fresh: false, why: `${rel} is gone since the build` };
    }
    if (now.size !== was.size) return { fresh: false, why: `${rel} changed since the build` };
    if (now.mtimeMs !== was.mtimeMs && sha256(path) !== was.sha256) return { fresh: false, why: `${rel} changed since the build` };
  }
  return { fresh: true };
}
