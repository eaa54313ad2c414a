/**
 * Whether an update may switch blue/green, and to where. An app opts in with the label
 * `org.amahi.hda.zero-downtime: "true"` on a service (two copies of an app must be able to run side
 * by side on the same data, which only its packager can promise). The agent then also requires what
 * a second copy needs: no `container_name`, no published host port other than HOST_PORT, no named
 * volumes (a second project would get new, empty ones), and a live slot that runs and has a vhost.
 * Otherwise the update runs in place and a warning says why.
 */
import { createServer } from 'node:net';
import { servicePorts } from '../../core/catalog/ports';
import { projectContainers } from '../docker/containers';
import { portIsFree } from '../host-ports';
import { otherSlot, projectName, type Slot } from '../slots';
import type { StepBase } from './steps';
import type { Target } from './types';

export const ZERO_DOWNTIME_LABEL = 'org.amahi.hda.zero-downtime';

type Services = Record<string, Record<string, unknown>>;

function labelValue(labels: unknown, key: string): unknown {
  if (Array.isArray(labels)) {
    const hit = labels.map(String).find((l) => l === key || l.startsWith(`${key}=`));
    return hit === undefined ? undefined : hit.includes('=') ? hit.slice(key.length + 1) : '';
  }
  return labels && typeof labels === 'object' ? (labels as Record<string, unknown>)[key] : undefined;
}

const truthy = (v: unknown) => v === true || (typeof v === 'string' && /^(true|yes|1|on)$/i.test(v.trim()));

/** Whether the compose asks for a zero-downtime switch, and what in it prevents one. */
export function switchBlockers(rendered: object, hostPort: number): { asked: boolean; blockers: string[] } {
  const doc = rendered as { services?: Services; volumes?: Record<string, unknown> };
  const services = doc?.services ?? {};
  const asked = Object.values(services).some((s) => s && typeof s === 'object' && truthy(labelValue(s.labels, ZERO_DOWNTIME_LABEL)));
  const blockers: string[] = [];
  for (const [name, svc] of Object.entries(services)) {
    if (!svc || typeof svc !== 'object') continue;
    if (svc.container_name !== undefined) blockers.push(`service "${name}" sets container_name, so a second copy cannot be created`);
    for (const p of servicePorts(svc)) {
      if (p.host.kind === 'fixed' && !(p.host.from === hostPort && p.host.to === hostPort))
        blockers.push(`service "${name}" publishes fixed host port ${p.host.from}, which a second copy cannot bind too`);
    }
  }
  const vols = Object.keys(doc?.volumes ?? {});
  if (vols.length) blockers.push(`named volumes (${vols.join(', ')}) would start empty in a second project`);
  return { asked, blockers };
}

/** A port nothing listens on now, chosen by the kernel, and not one another install of this agent uses. */
export async function freeHostPort(avoid: Set<number>): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '0.0.0.0', () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    if (port > 0 && !avoid.has(port)) return port;
  }
  throw new Error('no free host port found for the second slot');
}

export type SwitchPlan = { switch: true; to: Slot; project: string; port: number } | { switch: false; asked: boolean; reason?: string };

export async function planSwitch(ctx: StepBase, target: Target, rendered: object): Promise<SwitchPlan> {
  const { work, deps, task } = ctx;
  const { asked, blockers } = switchBlockers(rendered, target.hostPort);
  if (!asked) return { switch: false, asked };
  if (blockers.length) return { switch: false, asked, reason: blockers.join('; ') };
  const live = await projectContainers(await deps.docker.docker(), target.project);
  if (live.length === 0 || live.some((c) => c.State !== 'running'))
    return { switch: false, asked, reason: `${target.project} is not running, so there is nothing to keep serving` };
  if (!deps.apache.readVhost(work.identifier)) return { switch: false, asked, reason: 'the app has no vhost yet' };
  const to = otherSlot(target.slot);
  const project = projectName(deps.config.namespace ?? '', work.identifier, to);
  if (to === 'a') {
    const port = task.payload.install.host_port;
    if (!(await portIsFree(port))) return { switch: false, asked, reason: `host port ${port} is taken` };
    return { switch: true, to, project, port };
  }
  const avoid = new Set<number>();
  for (const r of deps.installs.list()) {
    avoid.add(r.host_port);
    if (r.live_port) avoid.add(r.live_port);
  }
  return { switch: true, to, project, port: await freeHostPort(avoid) };
}
