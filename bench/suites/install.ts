/**
 * Install overhead: the agent's install of the stand-in app (image already present; every step:
 * verify … up, health, vhost, reload, probe), driven in-process through the test harness with a fake
 * protocol client, against `docker-compose -p <proj> -f <file> up -d` by hand on the same rendered
 * compose file, same machine, alternating which goes first each round. Step times come from the
 * agent's own Starting/Complete events, stamped when the executor journals them. Needs the real
 * testbed (test/testbed/up.sh); without it the suite returns a skip reason instead of failing.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHarness, run, standinCompose, task, uniqueId, version, vhostFiles, type Harness } from '../../test/helpers/agent-harness';
import { freePort, probeTestbed, type Testbed } from '../../test/helpers/testbed';
import type { Sizes } from '../lib/options';
import { median, round } from '../lib/stats';
import { withTempDir } from '../lib/tmp';

export interface InstallRound {
  composeMs: number;
  agentMs: number;
  /** Agent step durations (Starting → Complete), ms. */
  steps: Record<string, number>;
  composeFirst: boolean;
}

export interface InstallResult {
  skipped?: string;
  rounds: number;
  image: string;
  composeMs: number;
  agentMs: number;
  reloadMs: number;
  probeMs: number;
  /** Medians over rounds of each round's ratio. */
  ratio: number;
  ratioExReload: number;
  ratioExReloadProbe: number;
  /** Median duration of each agent step. */
  steps: Record<string, number>;
  perRound: InstallRound[];
}

function exec(argv: string[], env: Record<string, string>, cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(argv[0], argv.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${argv.slice(0, 4).join(' ')} exited ${code}: ${out.slice(-400)}`))));
  });
}

/** Stamps every Starting/Complete event the executor journals, per task and step. */
function stampSteps(h: Harness): Map<string, Map<string, { start?: number; end?: number }>> {
  const stamps = new Map<string, Map<string, { start?: number; end?: number }>>();
  const append = h.journal.append.bind(h.journal);
  h.journal.append = (taskId, event) => {
    const now = performance.now();
    if (event.step && (event.status === 'Starting' || event.status === 'Complete')) {
      const byStep = stamps.get(taskId) ?? new Map();
      stamps.set(taskId, byStep);
      const s = byStep.get(event.step) ?? {};
      byStep.set(event.step, s);
      if (event.status === 'Starting') s.start = now;
      else s.end = now;
    }
    return append(taskId, event);
  };
  return stamps;
}

type Stamps = ReturnType<typeof stampSteps>;
type AgentRound = { ms: number; steps: Record<string, number>; rendered: string; id: string; port: number };

/** One agent install, timed, then uninstall (purge); returns the rendered compose and step times. */
async function agentRound(h: Harness, tb: Testbed, stamps: Stamps, v: ReturnType<typeof version>, log: (line: string) => void): Promise<AgentRound> {
  const id = uniqueId('bench-agent');
  const port = await freePort();
  const t = await task(h, 'install', id, port, v);
  const t0 = performance.now();
  const state = await run(h, t);
  const ms = performance.now() - t0;
  try {
    if (state !== 'succeeded') throw new Error(`agent install ${id} ended ${state}: ${JSON.stringify(h.client.results.get(t.id) ?? {}).slice(0, 300)}`);
    const steps: Record<string, number> = {};
    for (const [step, s] of stamps.get(t.id) ?? []) if (s.start !== undefined && s.end !== undefined) steps[step] = s.end - s.start;
    return { ms, steps, rendered: h.client.results.get(t.id)?.rendered_compose ?? '', id, port };
  } finally {
    const u = await task(h, 'uninstall', id, port, undefined, { purge: true });
    const us = await run(h, u);
    if (us !== 'succeeded' || vhostFiles(tb, id).length) log(`install: uninstall of ${id} ended ${us}; vhosts left: ${vhostFiles(tb, id).join(', ')}`);
    stamps.delete(t.id);
    stamps.delete(u.id);
  }
}

/** The agent's rendered compose by hand, for its own project, port and app folder: `up -d` timed, then down. */
async function composeRound(h: Harness, warm: AgentRound, dir: string, env: Record<string, string>, log: (line: string) => void): Promise<number> {
  const proj = uniqueId('bench-hand');
  const port = await freePort();
  const appDir = join(dir, proj);
  await mkdir(join(appDir, 'data'), { recursive: true });
  const text = warm.rendered.split(join(h.config.appsRoot, warm.id)).join(appDir).split(warm.id).join(proj).split(`${warm.port}:80`).join(`${port}:80`);
  const file = join(appDir, 'docker-compose.yml');
  await writeFile(file, text);
  const argv = ['docker-compose', '-p', proj, '-f', file];
  const t0 = performance.now();
  try {
    await exec([...argv, 'up', '-d'], env, appDir);
    return performance.now() - t0;
  } finally {
    await exec([...argv, 'down', '--remove-orphans'], env, appDir).catch((e) => log(`install: compose down ${proj}: ${(e as Error).message}`));
  }
}

export async function installSuite(sizes: Sizes, log: (line: string) => void): Promise<InstallResult> {
  const probe = probeTestbed();
  if (!probe.ok) return { skipped: probe.reason } as InstallResult;
  const tb: Testbed = probe.testbed;
  const env = { DOCKER_HOST: `unix://${tb.dockerSocket}` };
  // Image already present: pull once up front, outside every timing.
  await exec(['docker', 'pull', '-q', tb.standinImage], env);

  const h = await createHarness(tb);
  const stamps = stampSteps(h);
  const v = version(standinCompose(tb.standinImage));
  const agent = () => agentRound(h, tb, stamps, v, log);
  return withTempDir('install', async (dir) => {
    try {
      // Warm-up (not counted): one agent install gives the rendered compose the hand runs use.
      const warm = await agent();
      if (!warm.rendered.includes(warm.id)) throw new Error('agent result carries no rendered compose');
      const hand = () => composeRound(h, warm, dir, env, log);
      await hand(); // warm-up too
      const perRound: InstallRound[] = [];
      for (let i = 0; i < sizes.installRounds; i++) {
        // Alternate which goes first, so neither always runs on a warmer machine.
        const composeFirst = i % 2 === 0;
        const [composeMs, a] = composeFirst ? [await hand(), await agent()] : await agent().then(async (a) => [await hand(), a] as const);
        perRound.push({
          composeMs: round(composeMs, 0),
          agentMs: round(a.ms, 0),
          steps: Object.fromEntries(Object.entries(a.steps).map(([k, ms]) => [k, round(ms, 0)])),
          composeFirst,
        });
        log(
          `install: round ${i + 1}/${sizes.installRounds}: compose up -d ${Math.round(composeMs)} ms, agent ${Math.round(a.ms)} ms (reload ${Math.round(a.steps.reload ?? 0)} ms, probe ${Math.round(a.steps.probe ?? 0)} ms)`,
        );
      }
      return summary(perRound, tb.standinImage);
    } finally {
      await h.cleanup();
    }
  });
}

/** Medians over the rounds: times, each round's ratio, and each step. */
function summary(perRound: InstallRound[], image: string): InstallResult {
  const of = (f: (r: InstallRound) => number, digits?: number) => round(median(perRound.map(f)), digits);
  const reload = (r: InstallRound) => r.steps.reload ?? 0;
  const probe = (r: InstallRound) => r.steps.probe ?? 0;
  const stepNames = Object.keys(perRound[0]?.steps ?? {});
  return {
    rounds: perRound.length,
    image,
    composeMs: of((r) => r.composeMs, 0),
    agentMs: of((r) => r.agentMs, 0),
    reloadMs: of(reload, 0),
    probeMs: of(probe, 0),
    ratio: of((r) => r.agentMs / r.composeMs),
    ratioExReload: of((r) => (r.agentMs - reload(r)) / r.composeMs),
    ratioExReloadProbe: of((r) => (r.agentMs - reload(r) - probe(r)) / r.composeMs),
    steps: Object.fromEntries(stepNames.map((s) => [s, of((r) => r.steps[s] ?? 0, 0)])),
    perRound,
  };
}
