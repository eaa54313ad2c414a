#!/usr/bin/env node
// `npm run build:agent` (and `prepare`, so `npm ci` and `npm install` build it): the agent as it
// ships. agent/cli.ts and everything it imports, bundled by esbuild into one ESM file,
// dist/hda-agent.mjs, which agent/bin/hda-agent.mjs runs on plain node. Code a task needs (the steps,
// yaml, jose, dockerode) is in the file but evaluated only when first used.
//
// dockerode is bundled too, so that what it requires at load time but the agent never uses stays
// unloaded until something does use it: ssh2 (Docker over ssh://; its WebAssembly module alone
// keeps some 13 MB resident, and the agent talks to the unix socket) and @grpc/grpc-js with
// @grpc/proto-loader (BuildKit sessions of buildImage). They stay in node_modules behind small
// stand-ins that require the real package on first use, so every dockerode feature still works.
// protobufjs (BuildKit progress) is required lazily by dockerode itself and stays external.
//
// dist/hda-agent.json lists the inputs for agent/bin/bundle.mjs to compare with the tree: every
// source file of this repository in the bundle, and the package.json of every bundled package (a
// package changes with its version; node_modules is not meant to be edited by hand).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_BUNDLE, AGENT_MANIFEST, DIST, ROOT, sha256 } from '../agent/bin/bundle.mjs';

const SELF = relative(ROOT, fileURLToPath(import.meta.url));
/** wrangler.toml's [assets] directory + the path worker/services/agent-installer.ts serves the bundle at. */
const WORKER_AGENT_ASSET = join(DIST, 'worker-assets', 'agent', 'v1', 'hda-agent.mjs');

/** Packages dockerode requires at load time that the agent does not use: loaded on first use instead. */
const ON_FIRST_USE = {
  // docker-modem reads `.Client` when it loads; the class builds the real one when Docker is reached over ssh.
  ssh2: "module.exports = { Client: class Client { constructor(...args) { return new (__hdaAgentRequire('ssh2').Client)(...args); } } };",
  '@grpc/grpc-js': "module.exports = new Proxy({}, { get: (_, key) => __hdaAgentRequire('@grpc/grpc-js')[key] });",
  '@grpc/proto-loader': "module.exports = new Proxy({}, { get: (_, key) => __hdaAgentRequire('@grpc/proto-loader')[key] });",
};

const lazyDockerDeps = {
  name: 'hda-agent-lazy-docker-deps',
  setup(b) {
    b.onResolve({ filter: /^(ssh2|@grpc\/grpc-js|@grpc\/proto-loader)$/ }, (a) => ({ path: a.path, namespace: 'on-first-use' }));
    b.onLoad({ filter: /.*/, namespace: 'on-first-use' }, (a) => ({ contents: ON_FIRST_USE[a.path], loader: 'js' }));
    // The .proto files these read stay in node_modules/dockerode/lib.
    b.onLoad({ filter: /[\\/]node_modules[\\/]dockerode[\\/]lib[\\/](session|buildkit)\.js$/ }, (a) => ({
      contents: readFileSync(a.path, 'utf8').replaceAll('__dirname', "__hdaAgentDir('dockerode')"),
      loader: 'js',
    }));
  },
};

const BANNER = [
  "import { createRequire as __hdaAgentCreateRequire } from 'node:module';",
  "import { dirname as __hdaAgentDirname } from 'node:path';",
  // CommonJS in the bundle may require() node's own modules, and the packages left in node_modules.
  'const require = __hdaAgentCreateRequire(import.meta.url);',
  'const __hdaAgentRequire = require;',
  'const __hdaAgentDir = (pkg) => __hdaAgentDirname(require.resolve(pkg));',
].join('\n');

/** node_modules/<pkg>/package.json for a file of a package, else null. */
function packageJsonOf(rel) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(rel);
  return m ? `${m[1]}/package.json` : null;
}

async function buildOnce() {
  const started = Date.now();
  const tmp = `${AGENT_BUNDLE}.${process.pid}.tmp`;
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['agent/cli.ts'],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['protobufjs'],
    plugins: [lazyDockerDeps],
    banner: { js: BANNER },
    metafile: true,
    logLevel: 'warning',
  });
  const files = new Set([SELF]);
  for (const rel of Object.keys(result.metafile.inputs)) {
    if (rel.includes(':')) continue; // on-first-use:ssh2 and the like
    files.add(packageJsonOf(rel) ?? rel);
  }
  const inputs = {};
  let changedDuringBuild = false;
  for (const rel of [...files].sort()) {
    const path = join(ROOT, rel);
    const st = statSync(path);
    // Saved while esbuild read the tree: the bundle may hold its old text, so it never matches.
    const during = st.mtimeMs >= started;
    if (during) changedDuringBuild = true;
    inputs[rel] = during ? { size: st.size, mtimeMs: -1, sha256: 'changed during the build' } : { size: st.size, mtimeMs: st.mtimeMs, sha256: sha256(path) };
  }
  return { tmp, inputs, changedDuringBuild };
}

mkdirSync(DIST, { recursive: true });
for (let attempt = 1; ; attempt++) {
  const { tmp, inputs, changedDuringBuild } = await buildOnce();
  if (changedDuringBuild && attempt < 3) {
    rmSync(tmp, { force: true });
    continue;
  }
  const manifest = {
    note: 'written by scripts/build-agent.mjs; agent/bin/bundle.mjs compares these inputs with the tree',
    builtAt: new Date().toISOString(),
    inputs,
  };
  const manifestTmp = `${AGENT_MANIFEST}.${process.pid}.tmp`;
  writeFileSync(manifestTmp, `${JSON.stringify(manifest, null, 1)}\n`);
  renameSync(tmp, AGENT_BUNDLE);
  renameSync(manifestTmp, AGENT_MANIFEST);
  // The same file as a static asset of the Workers deployment, at the path the control plane serves it.
  mkdirSync(dirname(WORKER_AGENT_ASSET), { recursive: true });
  copyFileSync(AGENT_BUNDLE, WORKER_AGENT_ASSET);
  const kb = Math.round(statSync(AGENT_BUNDLE).size / 1024);
  console.log(
    `build:agent: ${relative(ROOT, AGENT_BUNDLE)} (${kb} KiB, ${Object.keys(inputs).length} inputs)${changedDuringBuild ? ' (files changed during the build: the bin will run the sources until the next build)' : ''}`,
  );
  break;
}
