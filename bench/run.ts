/**
 * `npm run bench [-- --quick] [--only=bundle,poll,dispatch,heartbeat,scale,agent,install,preview] [--pragma=name=value]`:
 * [--ab-pragma=name=value] runs the benchmarks, prints the Markdown table, and writes bench/results/latest.{json,md} (a full
 * run of every suite, the plane as shipped) or bench/results/partial.{json,md} (quick, --only, or a
 * what-if --pragma run).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { machine } from './lib/machine';
import { parseOptions, PLAN, SUITES, type Suite } from './lib/options';
import { renderMarkdown, type BenchResults } from './lib/report';
import { agentSuite } from './suites/agent';
import { bundleSuite } from './suites/bundle';
import { dispatchSuite } from './suites/dispatch';
import { installSuite } from './suites/install';
import { heartbeatSuite } from './suites/heartbeat';
import { pollSuite } from './suites/poll';
import { previewSuite } from './suites/preview';
import { scaleSuite } from './suites/scale';
import { snapshotSuite } from './suites/snapshot';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const opts = parseOptions(process.argv.slice(2));
const started = performance.now();
const log = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

const results: BenchResults = {
  machine: machine(),
  mode: opts.quick ? 'quick' : 'full',
  durationS: 0,
  loadavg: {},
  pragmas: opts.pragmas,
  abPragmas: opts.abPragmas,
  errors: {},
};
const runners: Record<Suite, () => Promise<void>> = {
  bundle: async () => void (results.bundle = await bundleSuite()),
  poll: async () => void (results.poll = await pollSuite(opts.sizes, log)),
  dispatch: async () => void (results.dispatch = await dispatchSuite(opts.sizes, log)),
  heartbeat: async () => void (results.heartbeat = await heartbeatSuite(opts.sizes, log)),
  scale: async () => {
    results.scale = await scaleSuite(opts.sizes, log);
    if (opts.abPragmas.length) results.scaleB = await scaleSuite({ ...opts.sizes, pragmas: opts.abPragmas }, log);
  },
  agent: async () => void (results.agent = await agentSuite(opts.sizes, log)),
  install: async () => void (results.install = await installSuite(opts.sizes, log)),
  preview: async () => void (results.preview = await previewSuite(opts.sizes, log)),
  snapshot: async () => void (results.snapshot = await snapshotSuite(opts.sizes, log)),
};

// Whatever a child process or a stray promise does, the run goes on and its table is written.
const running = new Set<Suite>();
function unexpected(err: unknown) {
  const message = `unexpected error: ${(err as Error)?.message ?? String(err)}`;
  log(`${message}\n${(err as Error)?.stack ?? ''}`);
  for (const suite of running.size ? running : ['run']) results.errors[suite] ??= message;
}
process.on('unhandledRejection', unexpected);
process.on('uncaughtException', unexpected);

async function runSuite(suite: Suite) {
  log(`== ${suite}`);
  const loadAtStart = loadavg()[0];
  running.add(suite);
  try {
    await runners[suite]();
  } catch (err) {
    results.errors[suite] = (err as Error).message ?? String(err);
    log(`${suite} failed: ${(err as Error).stack ?? err}`);
  } finally {
    running.delete(suite);
  }
  results.loadavg[suite] = [loadAtStart, loadavg()[0]].map((n) => Math.round(n * 100) / 100);
}

// The agent's idle footprint (its own CPU time and RSS, a mostly sleeping process) is measured beside
// the in-process idle-day simulation, which saves a minute; everything else runs alone.
for (const group of PLAN) await Promise.all(group.filter((s) => opts.only.has(s)).map(runSuite));
results.durationS = (performance.now() - started) / 1000;

const markdown = renderMarkdown(results);
const name = !opts.quick && opts.only.size === SUITES.length && opts.pragmas.length + opts.abPragmas.length === 0 ? 'latest' : 'partial';
await mkdir(RESULTS, { recursive: true });
for (const [ext, text] of [
  ['json', `${JSON.stringify(results, null, 2)}\n`],
  ['md', markdown],
] as const) {
  await writeFile(`${RESULTS}${name}.${ext}.tmp`, text);
  await rename(`${RESULTS}${name}.${ext}.tmp`, `${RESULTS}${name}.${ext}`);
}
console.log(`\n${markdown}\nwritten to bench/results/${name}.json and ${name}.md`);
process.exit(Object.keys(results.errors).length > 0 ? 1 : 0);
