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

  /** One agent install, timed, then uninstall (purge); returns the rendered compose and step times. */
  async function agentRound(): Promise<{ ms: number; steps: Record<string, number>; rendered: string; id: string; port: number }> {
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

  return withTempDir('install', async (dir) => {
    try {
      // Warm-up (not counted): one agent install gives the rendered compose the hand runs use.
      const warm = await agentRound();
      if (!warm.rendered.includes(warm.id)) throw new Error('agent result carries no rendered compose');

      /** The same rendered compose by hand, for its own project, port and app folder. */
      async function composeRound(): Promise<number> {
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
      await composeRound(); // warm-up too

      const perRound: InstallRound[] = [];
      for (let i = 0; i < sizes.installRounds; i++) {
        const composeFirst = i % 2 === 0;
        let composeMs = 0;
        let agent: Awaited<ReturnType<typeof agentRound>>;
        if (composeFirst) {
          composeMs = await composeRound();
          agent = await agentRound();
        } else {
          agent = await agentRound();
          composeMs = await composeRound();
        }
        perRound.push({
          composeMs: round(composeMs, 0),
          agentMs: round(agent.ms, 0),
          steps: Object.fromEntries(Object.entries(agent.steps).map(([k, ms]) => [k, round(ms, 0)])),
          composeFirst,
        });
        log(
          `install: round ${i + 1}/${sizes.installRounds}: compose up -d ${Math.round(composeMs)} ms, agent ${Math.round(agent.ms)} ms (reload ${Math.round(agent.steps.reload ?? 0)} ms, probe ${Math.round(agent.steps.probe ?? 0)} ms)`,
        );
      }

      const of = (f: (r: InstallRound) => number) => median(perRound.map(f));
      const stepNames = Object.keys(perRound[0]?.steps ?? {});
      return {
        rounds: perRound.length,
        image: tb.standinImage,
        composeMs: round(
          of((r) => r.composeMs),
          0,
        ),
        agentMs: round(
          of((r) => r.agentMs),
          0,
        ),
        reloadMs: round(
          of((r) => r.steps.reload ?? 0),
          0,
        ),
        probeMs: round(
          of((r) => r.steps.probe ?? 0),
          0,
        ),
        ratio: round(of((r) => r.agentMs / r.composeMs)),
        ratioExReload: round(of((r) => (r.agentMs - (r.steps.reload ?? 0)) / r.composeMs)),
        ratioExReloadProbe: round(of((r) => (r.agentMs - (r.steps.reload ?? 0) - (r.steps.probe ?? 0)) / r.composeMs)),
        steps: Object.fromEntries(
          stepNames.map((s) => [
            s,
            round(
              of((r) => r.steps[s] ?? 0),
              0,
            ),
          ]),
        ),
        perRound,
      };
    } finally {
      await h.cleanup();
    }
  });
}
