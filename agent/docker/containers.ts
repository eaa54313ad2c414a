/**
 * The containers of one compose project (project = the install's identifier) and what they add up
 * to for a heartbeat: running / restarting / exited, health, CPU % and memory.
 */
import type Docker from 'dockerode';
import type { AppRunState, AppStatus } from '../../core/protocol';

export { LABEL_IDENTIFIER, LABEL_INSTALL, LABEL_MANAGED_BY } from '../../core/compose/agent-labels';
export const MANAGED_BY = 'hda-agent';

export async function projectContainers(docker: Docker, project: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
}

/** One state for the whole app: any container restarting wins, then all running, then stopped. */
export function summarizeState(containers: Pick<Docker.ContainerInfo, 'State'>[]): AppRunState {
  if (containers.length === 0) return 'missing';
  const states = containers.map((c) => c.State);
  if (states.some((s) => s === 'restarting')) return 'restarting';
  if (states.every((s) => s === 'running')) return 'running';
  if (states.some((s) => s === 'running')) return 'restarting'; // partly up: not healthy, not stopped
  if (states.every((s) => s === 'exited' || s === 'created' || s === 'dead')) {
    return states.some((s) => s === 'dead') ? 'exited' : 'stopped';
  }
  return 'unknown';
}

interface StatsSample {
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; stats?: { cache?: number; inactive_file?: number } };
}

export function cpuPercent(s: StatsSample): number | null {
  const cpu = s.cpu_stats?.cpu_usage?.total_usage;
  const pre = s.precpu_stats?.cpu_usage?.total_usage;
  const sys = s.cpu_stats?.system_cpu_usage;
  const presys = s.precpu_stats?.system_cpu_usage;
  if (cpu === undefined || pre === undefined || sys === undefined || presys === undefined) return null;
  const dCpu = cpu - pre;
  const dSys = sys - presys;
  if (dSys <= 0 || dCpu < 0) return 0;
  const online = s.cpu_stats?.online_cpus ?? s.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 1;
  return Math.round((dCpu / dSys) * online * 10000) / 100;
}

export function memoryBytes(s: StatsSample): number | null {
  const usage = s.memory_stats?.usage;
  if (usage === undefined) return null;
  const cache = s.memory_stats?.stats?.inactive_file ?? s.memory_stats?.stats?.cache ?? 0;
  return Math.max(0, usage - cache);
}

/** The app's state from Docker (its compose project, the identifier unless given); CPU and memory are summed over its running containers. */
export async function appStatus(docker: Docker, identifier: string, project = identifier): Promise<AppStatus> {
  const containers = await projectContainers(docker, project);
  const state = summarizeState(containers);
  let cpu: number | null = null;
  let mem: number | null = null;
  let health: string | null = null;
  for (const c of containers) {
    const h = /\((healthy|unhealthy|health: starting)\)/.exec(c.Status ?? '');
    if (h) health = health === 'unhealthy' ? health : h[1].replace('health: ', '');
    if (c.State !== 'running') continue;
    try {
      const s = (await docker.getContainer(c.Id).stats({ stream: false })) as unknown as StatsSample;
      const p = cpuPercent(s);
      const m = memoryBytes(s);
      if (p !== null) cpu = (cpu ?? 0) + p;
      if (m !== null) mem = (mem ?? 0) + m;
    } catch {
      /* the container went away between list and stats: its numbers are simply missing */
    }
  }
  return { identifier, state, health, cpu_percent: cpu, memory_bytes: mem };
}
