/**
 * Agent footprint: the real agent (`hda-agent run`) enrolled with a control plane and long-polling it
 * with nothing queued; RSS (VmRSS) and CPU (utime+stime from /proc) over a short window after a
 * warm-up. Two side by side, both through agent/bin/hda-agent.mjs: as shipped (the bin runs
 * dist/hda-agent.mjs on plain node; the suite builds it first, so it is the code of this tree) and
 * the bin's fallback for a tree the bundle no longer matches (the TypeScript through tsx's loader,
 * forced with HDA_AGENT_FROM_SOURCE=1), for context.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildAgent } from '../lib/agent-bundle';
import { procCpuSeconds, procRss } from '../lib/children';
import type { Sizes } from '../lib/options';
import { startPlaneChild, type PlaneChild } from '../lib/plane';
import { median, round, sleep } from '../lib/stats';
import { withTempDir } from '../lib/tmp';

const BIN = fileURLToPath(new URL('../../agent/bin/hda-agent.mjs', import.meta.url));
const WARMUP_S = 10;

export interface AgentFigures {
  rssMbMedian: number;
  rssMbMax: number;
  /** CPU time over the window / the window, in % of one core. */
  cpuPercent: number;
  /** The control plane saw the agent during the window (last_seen_at). */
  seenByPlane: boolean;
}

export interface AgentResult {
  windowS: number;
  /** The bin as shipped: what it ran is in `shippedRuns`. */
  shipped: AgentFigures;
  /** 'bundle' (dist/hda-agent.mjs on plain node) unless the build failed: then the bin ran the sources through tsx. */
  shippedRuns: 'bundle' | 'tsx';
  /** The bin's fallback, the sources through tsx (HDA_AGENT_FROM_SOURCE=1). */
  fallback: AgentFigures | null;
  /** Always null now: the esbuild bundle is what ships (`shipped`). Kept for readers of older results. */
  bundled: AgentFigures | null;
  /** RSS of an idle `node` doing nothing, sampled in the same window: the floor of any Node agent. */
  nodeFloorRssMb: number;
}

type Variant = 'shipped' | 'fallback';

/** The bench's own environment, minus a HDA_AGENT_FROM_SOURCE it may carry, plus the variant's. */
function agentEnv(variant: Variant, env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete base.HDA_AGENT_FROM_SOURCE;
  return variant === 'fallback' ? { ...base, HDA_AGENT_FROM_SOURCE: '1' } : base;
}

function runCli(variant: Variant, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: agentEnv(variant, env), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`hda-agent ${args[0]} exited ${code}: ${out.slice(-500)}`))));
  });
}

interface Running {
  proc: ChildProcess;
  hdaId: string;
}

async function startAgent(plane: PlaneChild, variant: Variant, dir: string): Promise<Running> {
  const name = variant;
  const env = {
    HDA_AGENT_STATE_DIR: `${dir}/${name}/state`,
    HDA_AGENT_APPS_ROOT: `${dir}/${name}/apps`,
    HDA_AGENT_APACHE_SITES_DIR: `${dir}/${name}/sites`,
    HDA_AGENT_LOG_LEVEL: 'warn',
  };
  for (const d of ['state', 'apps', 'sites']) await mkdir(`${dir}/${name}/${d}`, { recursive: true });
  const h = await plane.api('POST', '/api/hdas', { token: plane.adminToken, body: { name, domain: `${name}.example.com` } });
  await runCli(variant, ['enroll', '--server', plane.child.url, '--code', h.body.enrollment_code], env);
  // stderr is kept, not shown: the fallback says on it that it runs the sources through tsx.
  const proc = spawn(process.execPath, [BIN, 'run'], { env: agentEnv(variant, env), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  proc.once('exit', (code, signal) => {
    if (code && signal !== 'SIGTERM') process.stderr.write(`agent ${variant} exited ${code}: ${err}\n`);
  });
  return { proc, hdaId: h.body.hda.id };
}

async function stopAgent(agent: Running) {
  if (agent.proc.exitCode !== null || agent.proc.signalCode !== null) return;
  const exited = new Promise((r) => agent.proc.once('exit', r));
  agent.proc.kill('SIGTERM');
  const timer = setTimeout(() => agent.proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function agentSuite(sizes: Sizes, log: (line: string) => void): Promise<AgentResult> {
  const build = await buildAgent();
  if (build.runs === 'tsx') log(`agent: the bin will run the sources through tsx, not the bundle: ${build.why}`);
  return withTempDir('agent', async (dir) => {
    const plane = await startPlaneChild(`${dir}/plane`, sizes.pragmas);
    const agents: Array<Running & { label: Variant }> = [];
    const floor = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      for (const variant of ['shipped', 'fallback'] as const) agents.push({ ...(await startAgent(plane, variant, dir)), label: variant });
      log(
        `agent: ${agents.map((a) => `${a.label} pid ${a.proc.pid}`).join(', ')} (shipped runs ${build.runs === 'bundle' ? 'dist/hda-agent.mjs' : 'the sources through tsx'}); ${WARMUP_S} s warm-up, then ${sizes.agentSeconds} s idle`,
      );
      await sleep(WARMUP_S * 1000);
      const windowStart = Date.now();
      const cpu0 = await Promise.all(agents.map((a) => procCpuSeconds(a.proc.pid!)));
      const rss: number[][] = agents.map(() => []);
      const floorRss: number[] = [];
      const t0 = performance.now();
      while (performance.now() - t0 < sizes.agentSeconds * 1000) {
        for (let i = 0; i < agents.length; i++) rss[i].push(await procRss(agents[i].proc.pid!));
        floorRss.push(await procRss(floor.pid!));
        await sleep(1000);
      }
      const elapsed = (performance.now() - t0) / 1000;
      const figures: AgentFigures[] = [];
      for (let i = 0; i < agents.length; i++) {
        const cpu = (await procCpuSeconds(agents[i].proc.pid!)) - cpu0[i];
        const seen = await plane.api('GET', `/api/hdas/${agents[i].hdaId}`, { token: plane.adminToken });
        const lastSeen = Date.parse(seen.body?.hda?.last_seen_at ?? '') || 0;
        figures.push({
          rssMbMedian: round(median(rss[i]) / 1048576, 1),
          rssMbMax: round(Math.max(...rss[i]) / 1048576, 1),
          cpuPercent: round((cpu / elapsed) * 100, 2),
          seenByPlane: lastSeen >= windowStart - 120_000,
        });
      }
      const nodeFloorRssMb = round(median(floorRss) / 1048576, 1);
      const line = (f: AgentFigures) =>
        `RSS median ${f.rssMbMedian} MB, max ${f.rssMbMax} MB, CPU ${f.cpuPercent} %${f.seenByPlane ? '' : ' (plane did not see it!)'}`;
      log(
        `agent: as shipped (${build.runs === 'bundle' ? 'bundle, plain node' : 'tsx'}): ${line(figures[0])}; tsx fallback: ${line(figures[1])}; node floor ${nodeFloorRssMb} MB`,
      );
      return { windowS: sizes.agentSeconds, shipped: figures[0], shippedRuns: build.runs, fallback: figures[1], bundled: null, nodeFloorRssMb };
    } finally {
      floor.kill();
      for (const a of agents) await stopAgent(a);
      await plane.child.close();
    }
  });
}
