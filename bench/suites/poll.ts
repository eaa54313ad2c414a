/**
 * Idle poll throughput and latency: `GET /agent/v1/tasks?wait=0` with nothing queued, against the
 * Node entry on a libSQL file of N HDAs and their past task events, at a fixed concurrency, as a
 * ratio to a bare node:http server answering 204 (the ceiling), both in child processes, alternating
 * runs, medians over rounds. Also samples the control plane's RSS under that load. With --ab-pragma, a
 * second plane on its own copy of the data runs with those PRAGMAs in the same rounds.
 */
import { createClient } from '@libsql/client';
import type { Request } from 'autocannon';
import { startChild, type Child } from '../lib/children';
import { copyDataset, ensureDataset } from '../lib/dataset';
import { load, type LoadResult } from '../lib/load';
import type { Sizes } from '../lib/options';
import { BENCH_ADMIN as ADMIN } from '../lib/plane';
import { sampler } from '../lib/sampler';
import { median, round } from '../lib/stats';
import { withTempDir } from '../lib/tmp';

const PATH = '/agent/v1/tasks?wait=0';
/** bare and hono are baselines; single/spread hit the plane as configured, singleB/spreadB the A/B variant. */
type Config = 'bare' | 'hono' | 'single' | 'spread' | 'cold' | 'singleB' | 'spreadB';

export interface PollFigures {
  rps: number;
  p50: number;
  p99: number;
  /** Median over rounds of this run's rps / the ceiling's rps in the same round. */
  ratio: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

export interface PollResult {
  dataset: { hdas: number; tasks: number; taskEvents: number; mb: number; generatedS: number | null };
  connections: number;
  seconds: number;
  rounds: number;
  /** node:http answering 204: the ceiling. */
  bare: PollFigures;
  /** Hono on @hono/node-server answering 204: the framework floor, for attribution only. */
  hono: PollFigures;
  /** The control plane, every request with one HDA's token. */
  single: PollFigures;
  /** The control plane, requests cycling through every HDA's token. */
  spread: PollFigures;
  /** As spread, on a plane that never answers from memory (as on Workers or a remote libSQL): every poll reads the database. */
  cold: PollFigures;
  rssMb: { idle: number; underLoadMedian: number; underLoadPeak: number };
  /** What-if A/B (--ab-pragma): a second plane with these PRAGMAs, measured in the same rounds. */
  variant?: { pragmas: string[]; single: PollFigures; spread: PollFigures };
}

/** Every HDA's last_seen somewhere in the last minute: the steady state of agents polling all along. */
async function spreadLastSeen(dataDir: string) {
  const client = createClient({ url: `file:${dataDir}/hda.db` });
  await client.execute({ sql: 'UPDATE hdas SET last_seen_at = ? - abs(random() % 60000)', args: [Date.now()] });
  client.close();
}

async function check(url: string, token: string) {
  const ok = await fetch(`${url}${PATH}`, { headers: { authorization: `Bearer ${token}` } });
  const bad = await fetch(`${url}${PATH}`, { headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` } });
  if (ok.status !== 204 || bad.status !== 401) throw new Error(`poll sanity check failed: valid token ${ok.status}, wrong token ${bad.status}`);
}

/** One poll per HDA token, `concurrency` at a time, each answered 204 (nothing is queued). */
async function pollEveryHdaOnce(url: string, tokens: string[], concurrency: number) {
  let i = 0;
  const worker = async () => {
    while (i < tokens.length) {
      const token = tokens[i++];
      const res = await fetch(`${url}${PATH}`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 204) throw new Error(`warm-up poll answered ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function summarize(runs: LoadResult[], ratios: number[]): PollFigures {
  const sum = (k: 'requests' | 'errors' | 'timeouts' | 'non2xx') => runs.reduce((a, r) => a + r[k], 0);
  return {
    rps: round(median(runs.map((r) => r.rps)), 0),
    p50: round(median(runs.map((r) => r.p50))),
    p99: round(median(runs.map((r) => r.p99))),
    ratio: round(median(ratios), 3),
    requests: sum('requests'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    non2xx: sum('non2xx'),
  };
}

type Dataset = Awaited<ReturnType<typeof ensureDataset>>;
type Targets = { bare: Child; hono: Child; plane: Child; cold: Child; planeB: Child | null };

/** The baselines and the planes, each on its own copy of the data. */
async function startTargets(dataset: Dataset, dir: string, sizes: Sizes, children: Child[]): Promise<Targets> {
  const startPlane = async (dataDir: string, pragmas: string[], config?: Record<string, unknown>) => {
    await copyDataset(dataset, dataDir);
    await spreadLastSeen(dataDir);
    const child = await startChild('children/plane-server.ts', { BENCH_PLANE: JSON.stringify({ dataDir, ...ADMIN, pragmas, config }) });
    children.push(child);
    await check(child.url, dataset.tokens[0]);
    return child;
  };
  const started = async (script: string) => {
    const child = await startChild(script);
    children.push(child);
    return child;
  };
  const ab = sizes.abPragmas ?? [];
  return {
    bare: await started('children/bare-server.ts'),
    hono: await started('children/hono-server.ts'),
    plane: await startPlane(`${dir}/a`, sizes.pragmas ?? []),
    cold: await startPlane(`${dir}/cold`, sizes.pragmas ?? [], { pollIdleCacheMs: 0 }),
    planeB: ab.length ? await startPlane(`${dir}/b`, ab) : null,
  };
}

/**
 * One load run of a configuration. On the plane that remembers idle answers: one prebuilt request per
 * token, like the ceiling's one prebuilt request (a request rebuilt per send, autocannon's setupRequest,
 * cost the load generator on the same two cores a third of its rate, which showed up as the plane's).
 * Every connection walks the tokens in the same order, so the warm-up first polls each HDA once, as its
 * agent polling all along would have. The plane that reads the database on every poll gets the next
 * token per send instead: ten connections on one HDA would read hot pages.
 */
function loadRunner(t: Targets, tokens: string[], connections: number) {
  const spreadRequests: Request[] = tokens.map((token) => ({ method: 'GET', path: PATH, headers: { authorization: `Bearer ${token}` } }));
  let next = 0;
  const coldRequests: Request[] = [
    { method: 'GET', path: PATH, setupRequest: (req) => ({ ...req, headers: { authorization: `Bearer ${tokens[next++ % tokens.length]}` } }) },
  ];
  const target = (config: Config) =>
    config === 'bare' ? t.bare : config === 'hono' ? t.hono : config === 'cold' ? t.cold : config.endsWith('B') ? t.planeB! : t.plane;
  return (config: Config, seconds: number) => {
    const url = target(config).url;
    const common = { connections, seconds };
    if (config === 'cold') return load({ url, ...common, requests: coldRequests });
    if (config.startsWith('spread')) return load({ url, ...common, requests: spreadRequests });
    const headers = config.startsWith('single') ? { authorization: `Bearer ${tokens[0]}` } : undefined;
    return load({ url: `${url}${PATH}`, ...common, headers });
  };
}

type Run = ReturnType<typeof loadRunner>;

/** Alternating rounds of every configuration; RSS sampled while the plane is under load. */
async function measureRounds(run: Run, configs: Config[], plane: Child, sizes: Sizes, log: (line: string) => void) {
  const runs = Object.fromEntries(configs.map((c) => [c, [] as LoadResult[]])) as Record<Config, LoadResult[]>;
  const ratios = Object.fromEntries(configs.map((c) => [c, [] as number[]])) as Record<Config, number[]>;
  const rss = sampler(() => plane.rss());
  const rssRuns: Array<{ median: number; max: number }> = [];
  for (let round_ = 0; round_ < sizes.rounds; round_++) {
    const results = {} as Record<Config, LoadResult>;
    for (const config of configs) {
      const sampled = config === 'single' || config === 'spread';
      if (sampled) rss.start();
      results[config] = await run(config, sizes.seconds);
      if (sampled) rssRuns.push(rss.stop());
      runs[config].push(results[config]);
    }
    for (const config of configs) ratios[config].push(results[config].rps / results.bare.rps);
    const line = configs.map((c) => `${c} ${round(results[c].rps, 0)} req/s${c === 'bare' || c === 'hono' ? '' : ` (p99 ${results[c].p99} ms)`}`).join(', ');
    log(`poll round ${round_ + 1}/${sizes.rounds}: ${line}`);
  }
  const figures = (c: Config) => summarize(runs[c], ratios[c]);
  return { figures, rssRuns };
}

export async function pollSuite(sizes: Sizes, log: (line: string) => void): Promise<PollResult> {
  const dataset = await ensureDataset({ hdas: sizes.hdas, tasksPerHda: sizes.tasksPerHda, eventsPerTask: sizes.eventsPerTask }, log);
  return withTempDir('poll', async (dir) => {
    const children: Child[] = [];
    try {
      const t = await startTargets(dataset, dir, sizes, children);
      const configs: Config[] = ['bare', 'hono', 'single', 'spread', 'cold', ...(t.planeB ? (['singleB', 'spreadB'] as const) : [])];
      const run = loadRunner(t, dataset.tokens, sizes.connections);
      const idleRss = await t.plane.rss();
      log(`poll: warm-up (${sizes.connections} connections; every HDA polls once)`);
      for (const p of [t.plane, ...(t.planeB ? [t.planeB] : [])]) await pollEveryHdaOnce(p.url, dataset.tokens, sizes.connections);
      for (const config of configs) await run(config, 2);
      const { figures, rssRuns } = await measureRounds(run, configs, t.plane, sizes, log);
      const mb = (b: number) => round(b / 1048576, 1);
      return {
        dataset: { ...dataset.counts, mb: mb(dataset.bytes), generatedS: dataset.generatedMs === null ? null : round(dataset.generatedMs / 1000, 1) },
        connections: sizes.connections,
        seconds: sizes.seconds,
        rounds: sizes.rounds,
        bare: figures('bare'),
        hono: figures('hono'),
        single: figures('single'),
        spread: figures('spread'),
        cold: figures('cold'),
        rssMb: { idle: mb(idleRss), underLoadMedian: mb(median(rssRuns.map((r) => r.median))), underLoadPeak: mb(Math.max(...rssRuns.map((r) => r.max))) },
        ...(t.planeB ? { variant: { pragmas: sizes.abPragmas ?? [], single: figures('singleB'), spread: figures('spreadB') } } : {}),
      };
    } finally {
      for (const child of children.reverse()) await child.close();
    }
  });
}
