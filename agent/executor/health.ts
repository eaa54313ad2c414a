/**
 * Step health: wait until every container of the project runs (and, where the image or compose
 * defines a health check, reports healthy) and the web port answers on 127.0.0.1:<port> with
 * anything but a server error. A container that exits, keeps restarting or turns unhealthy fails the
 * step at once with its last log lines instead of waiting for the timeout.
 */
import type Docker from 'dockerode';
import { projectContainers } from '../docker/containers';
import { describeDockerError } from '../docker/client';
import { httpAnswers } from '../apache/probe';
import { sleep } from '../backoff';
import { defineStep } from './steps';
import { StepFailure } from './types';

const RESTART_GRACE_MS = 20_000;

async function lastLogs(docker: Docker, id: string): Promise<string> {
  try {
    const buf = (await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: 5 })) as unknown as Buffer;
    // Multiplexed stream: drop the 8-byte frame headers, keep printable text.
    return buf
      .toString('utf8')
      .replace(/[\x00-\x08\x0e-\x1f]/g, '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-3)
      .join(' | ');
  } catch {
    return '';
  }
}

/** The last output of a failing health check, from the container's state. */
async function healthOutput(docker: Docker, id: string): Promise<string> {
  try {
    const info = await docker.getContainer(id).inspect();
    const log = info.State?.Health?.Log ?? [];
    const last = log[log.length - 1];
    return last ? `exit ${last.ExitCode}${last.Output?.trim() ? `: ${last.Output.trim().slice(0, 300)}` : ''}` : '';
  } catch {
    return '';
  }
}

const nameOf = (c: Docker.ContainerInfo) => c.Names?.[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12);
const healthOf = (c: Docker.ContainerInfo) => /\((healthy|unhealthy|health: starting)\)/.exec(c.Status ?? '')?.[1] ?? null;

export const healthStep = defineStep({
  name: 'health',
  title: 'Waiting for the containers to run and the web port to answer',
  needs: [],
  gives: [],
  async run({ deps, report, signal, input }) {
    const { hostPort: port, project } = input.target;
    const deadline = Date.now() + deps.config.healthTimeoutS * 1000;
    let restartingSince: number | null = null;
    let lastReason = 'no containers yet';
    let announced = false;
    while (Date.now() < deadline && !signal.aborted) {
      let docker: Docker;
      let containers: Docker.ContainerInfo[];
      try {
        docker = await deps.docker.docker();
        containers = await projectContainers(docker, project);
      } catch (e) {
        deps.docker.reset(e);
        throw new StepFailure(describeDockerError(e, deps.docker.socketPath));
      }
      if (containers.length === 0) throw new StepFailure(`no containers of project ${project} exist`);
      const dead = containers.find((c) => c.State === 'exited' || c.State === 'dead');
      if (dead) {
        const logs = await lastLogs(docker, dead.Id);
        throw new StepFailure(`container ${nameOf(dead)} ${dead.Status}${logs ? `: ${logs}` : ''}`);
      }
      const sick = containers.find((c) => healthOf(c) === 'unhealthy');
      if (sick) {
        const why = await healthOutput(docker, sick.Id);
        throw new StepFailure(`container ${nameOf(sick)} fails its health check${why ? ` (${why})` : ''}`);
      }
      const restarting = containers.find((c) => c.State === 'restarting');
      if (restarting) {
        restartingSince ??= Date.now();
        if (Date.now() - restartingSince > RESTART_GRACE_MS) {
          const logs = await lastLogs(docker, restarting.Id);
          throw new StepFailure(`container ${nameOf(restarting)} keeps restarting${logs ? `: ${logs}` : ''}`);
        }
        lastReason = 'a container is restarting';
      } else if (containers.every((c) => c.State === 'running')) {
        restartingSince = null;
        if (!announced) {
          report.ok(`${containers.length} container(s) running`, { containers: containers.map(nameOf) });
          announced = true;
        }
        const starting = containers.find((c) => healthOf(c) === 'health: starting');
        if (starting) {
          lastReason = `container ${nameOf(starting)} has not passed its health check yet`;
        } else {
          const answer = await httpAnswers(port);
          if (answer.ok && (answer.status ?? 0) < 500) return `running; web port ${port} answers (HTTP ${answer.status})`;
          lastReason = answer.ok
            ? `web port ${port} answers with a server error (HTTP ${answer.status})`
            : `web port ${port} does not answer yet (${answer.reason})`;
        }
      } else {
        lastReason = `containers are ${containers.map((c) => c.State).join(', ')}`;
      }
      await sleep(1000, signal);
    }
    throw new StepFailure(`not healthy after ${deps.config.healthTimeoutS}s: ${lastReason}`);
  },
});
