#!/usr/bin/env node
// hda-agent. Runs the prebuilt bundle, dist/hda-agent.mjs (plain JavaScript: no TypeScript loader in
// the daemon, about 20 MB less resident memory), when it was built from the sources in this tree
// (bundle.mjs); otherwise loads the TypeScript CLI through tsx's loader, so a source checkout works
// as is and an edited tree never runs old code. HDA_AGENT_FROM_SOURCE=1 always takes tsx.
// `npm run build:agent` builds the bundle; `npm ci` and `npm install` do it through `prepare`.
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { AGENT_BUNDLE, bundleState } from './bundle.mjs';

// No optimizing compiler (V8's TurboFan; the interpreter and the baseline compiler remain). The agent
// waits on the network, Docker and Compose; nothing it runs is hot enough to gain from it, and once it
// starts, in the first minutes or after hours, its code and memory add 4-7 MB to the resident size
// for good. Measured with the flag: the same CPU under 25 times the idle request rate, the same
// install step times.
setFlagsFromString('--no-turbofan');

const args = process.argv.slice(2);
const state = process.env.HDA_AGENT_FROM_SOURCE === '1' ? { fresh: false, why: 'HDA_AGENT_FROM_SOURCE=1' } : bundleState();
let main;
if (state.fresh) {
  ({ main } = await import(pathToFileURL(AGENT_BUNDLE).href));
} else {
  if (args[0] === 'run') process.stderr.write(`hda-agent: running the TypeScript sources through tsx (${state.why}; npm run build:agent builds the bundle)\n`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli.ts'));
}
process.exitCode = await main(args);
