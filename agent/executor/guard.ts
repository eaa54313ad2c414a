/**
 * The agent only drives compose projects it created: a project named like the install whose
 * containers lack the agent's label belongs to someone else and is left alone.
 */
import { LABEL_MANAGED_BY, MANAGED_BY, projectContainers } from '../docker/containers';
import { describeDockerError } from '../docker/client';
import type { StepBase } from './steps';
import { StepFailure } from './types';

export async function assertOwnProject(ctx: StepBase, project: string): Promise<number> {
  try {
    const docker = await ctx.deps.docker.docker();
    const containers = await projectContainers(docker, project);
    const foreign = containers.filter((c) => c.Labels?.[LABEL_MANAGED_BY] !== MANAGED_BY);
    if (foreign.length) {
      const names = foreign.map((c) => (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '')).join(', ');
      throw new StepFailure(`compose project "${project}" has containers the agent did not create (${names}); refusing to touch them`);
    }
    return containers.length;
  } catch (e) {
    if (e instanceof StepFailure) throw e;
    ctx.deps.docker.reset(e);
    throw new StepFailure(describeDockerError(e, ctx.deps.docker.socketPath));
  }
}

/** Compose's error, with the common causes said plainly. */
export function explainComposeError(message: string, hostPort?: number): string {
  if (/port is already allocated|address already in use/i.test(message)) {
    const m = /(?:0\.0\.0\.0|127\.0\.0\.1|\[::\]|::):(\d+)/.exec(message);
    const port = m ? Number(m[1]) : hostPort;
    return `host port ${port ?? '?'} is already taken on this machine: ${message}`;
  }
  if (/Cannot connect to the Docker daemon|Couldn't connect to Docker daemon|Connection refused|connection aborted|FileNotFoundError/i.test(message)) {
    return `Docker daemon not reachable: ${message}`;
  }
  return message;
}
