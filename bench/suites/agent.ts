/**
 * Agent footprint: the real agent (`hda-agent run`) enrolled with a control plane and long-polling it
 * with nothing queued; RSS (VmRSS) and CPU (utime+stime from /proc) over a short window after a
 * warm-up. Two builds side by side: the bin as shipped (TypeScript through tsx's loader) and the
 * same CLI bundled by esbuild on plain node, to show what the loader costs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleAgent } from '../lib/agent-bundle';
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
  shipped: AgentFigures;
  bundled: AgentFigures | null;
  /** RSS of an idle `node` doing nothing, sampled in the same window: the floor of any Node agent. */
  nodeFloorRssMb: number;
}

function runCli(script: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

async function startAgent(plane: PlaneChild, script: string, dir: string, name: string): Promise<Running> {
  const env = {
    HDA_AGENT_STATE_DIR: `${dir}/${name}/state`,
    HDA_AGENT_APPS_ROOT: `${dir}/${name}/apps`,
    HDA_AGENT_APACHE_SITES_DIR: `${dir}/${name}/sites`,
    HDA_AGENT_LOG_LEVEL: 'warn',
  };
  for (const d of ['state', 'apps', 'sites']) await mkdir(`${dir}/${name}/${d}`, { recursive: true });
  const h = await plane.api('POST', '/api/hdas', { token: plane.adminToken, body: { name, domain: `${name}.example.com` } });
  await runCli(script, ['enroll', '--server', plane.child.url, '--code', h.body.enrollment_code], env);
  const proc = spawn(process.execPath, [script, 'run'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
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
  const bundle = await bundleAgent();
  return withTempDir('agent', async (dir) => {
    const plane = await startPlaneChild(`${dir}/plane`, sizes.pragmas);
    const agents: Array<Running & { label: 'shipped' | 'bundled' }> = [];
    const floor = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      agents.push({ ...(await startAgent(plane, BIN, dir, 'shipped')), label: 'shipped' });
      if (bundle) agents.push({ ...(await startAgent(plane, bundle, dir, 'bundled')), label: 'bundled' });
      log(`agent: ${agents.map((a) => `${a.label} pid ${a.proc.pid}`).join(', ')}; ${WARMUP_S} s warm-up, then ${sizes.agentSeconds} s idle`);
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
      return { windowS: sizes.agentSeconds, shipped: figures[0], bundled: bundle ? figures[1] : null, nodeFloorRssMb: round(median(floorRss) / 1048576, 1) };
    } finally {
      floor.kill();
      for (const a of agents) await stopAgent(a);
      await plane.child.close();
    }
  });
}
