/**
 * Step ports: before anything changes, the install's host port must be free of every other program
 * on the HDA (listening sockets, other containers' published ports, other installs of this agent).
 * A port the control plane gave automatically moves to the next free one of the HDA's range (never
 * one the payload says another install holds); a port the owner chose is never moved: the task fails.
 */
import { dockerPublishedPorts, listeningPorts, pickFreePort } from '../host-ports';
import { LABEL_INSTALL } from '../docker/containers';
import { allProjects } from '../slots';
import { defineStep, type StepBase } from './steps';
import { StepFailure, type Target } from './types';

/**
 * Host ports held by anything but this install (its own containers' ports, either slot, are its own):
 * other installs and containers, and with `sockets` every listening socket of the machine.
 */
export async function hostPortsInUse(ctx: StepBase, target: Target, { sockets = true } = {}): Promise<Set<number>> {
  const { work, deps, task } = ctx;
  const ports = new Set<number>();
  for (const rec of deps.installs.list()) {
    if (rec.identifier === work.identifier) continue;
    ports.add(rec.host_port);
    if (rec.live_port) ports.add(rec.live_port);
  }
  const projects = new Set([target.project, ...allProjects(deps.config.namespace ?? '', work.identifier)]);
  const own = (labels: Record<string, string> | undefined) =>
    projects.has(labels?.['com.docker.compose.project'] ?? '') || labels?.[LABEL_INSTALL] === task.payload.install.id;
  let mine = new Set<number>();
  try {
    const published = await dockerPublishedPorts(await deps.docker.docker(), own);
    for (const p of published.others) ports.add(p);
    mine = published.mine;
  } catch (e) {
    deps.docker.reset(e);
    ctx.report.warn(`could not list other containers' ports: ${(e as Error).message}`);
  }
  if (!sockets) return ports;
  // Docker's proxy listens on this install's own published ports: those are not another program's.
  for (const p of await (deps.listeningPorts ?? listeningPorts)()) if (!mine.has(p)) ports.add(p);
  return ports;
}

export const portsStep = defineStep({
  name: 'ports',
  title: 'Checking the host port is free',
  needs: [],
  gives: ['target'],
  async run(ctx) {
    const { work, task, report, input } = ctx;
    const target = input.target;
    const inst = task.payload.install;
    if (task.kind === 'reconfigure' && !work.before)
      throw new StepFailure(`${work.identifier} has not run on this HDA yet, so there is nothing to reconfigure`);
    const used = await hostPortsInUse(ctx, target);
    const want = target.hostPort;
    if (!used.has(want)) return { summary: `host port ${want} is free`, made: { target } };
    // Only install and reconfigure carry hints: a way back to the previous deployment moves nothing.
    const hints = 'ports' in task.payload ? task.payload.ports : undefined;
    if (inst.port_fixed || !hints || target.slot !== 'a') {
      throw new StepFailure(`port ${want} is used by another program on the HDA; choose another port for ${work.identifier}`, { port: want });
    }
    const held = new Set(hints.held);
    const taken = (p: number) => used.has(p) || held.has(p);
    // A run again after an earlier move keeps the port it moved to.
    const earlier = ctx.deps.installs.get(work.identifier)?.host_port;
    const to = earlier && earlier !== want && !taken(earlier) ? earlier : pickFreePort(want, hints.from, hints.to, taken);
    if (to === null)
      throw new StepFailure(`port ${want} is used by another program on the HDA and no port from ${hints.from} to ${hints.to} is free`, { port: want });
    report.warn(`host port ${want} is used by another program on the HDA; ${work.identifier} gets host port ${to} instead`, { from: want, to });
    return { summary: `moved to host port ${to}`, made: { target: { ...target, hostPort: to, installPort: to } } };
  },
});
