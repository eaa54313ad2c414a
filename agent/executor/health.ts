/**
 * Step health: wait until every container of the project runs and the web port answers on
 * 127.0.0.1:HOST_PORT. A container that exits, or keeps restarting, fails the step at once with its
 * last log lines instead of waiting for the timeout.
 */
import type Docker from 'dockerode';
import { projectContainers } from '../docker/containers';
import { describeDockerError } from '../docker/client';
import { httpAnswers } from '../apache/probe';
import { sleep } from '../backoff';
import { StepFailure, type Step } from './types';

const RESTART_GRACE_MS = 20_000;

async function lastLogs(docker: Docker, id: string): Promise<string> {
  try {
    const buf = (await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: 5 })) as unknown as Buffer;
    // Multiplexed stream: drop the 8-byte frame headers, keep printable text.
    return buf.toString('utf8').replace(/[\x00-\x08\x0e-\x1f]/g, '').split('\n').map((l) => l.trim()).filter(Boolean).slice(-3).join(' | ');
  } catch {
    return '';
  }
}

export const healthStep: Step = {
  name: 'health',
  title: 'Waiting for the containers to run and the web port to answer',
  async run({ work, deps, task, report, signal }) {
    const port = task.payload.install.host_port;
    const deadline = Date.now() + deps.config.healthTimeoutS * 1000;
    let restartingSince: number | null = null;
    let lastReason = 'no containers yet';
    let announced = false;
    while (Date.now() < deadline && !signal.aborted) {
      let docker: Docker;
      let containers: Docker.ContainerInfo[];
      try {
        docker = await deps.docker.docker();
        containers = await projectContainers(docker, work.identifier);
      } catch (e) {
        deps.docker.reset(e);
        throw new StepFailure(describeDockerError(e, deps.docker.socketPath));
      }
      if (containers.length === 0) throw new StepFailure(`no containers of project ${work.identifier} exist`);
      const dead = containers.find((c) => c.State === 'exited' || c.State === 'dead');
      if (dead) {
        const logs = await lastLogs(docker, dead.Id);
        throw new StepFailure(`container ${dead.Names?.[0]?.replace(/^\//, '')} ${dead.Status}${logs ? `: ${logs}` : ''}`);
      }
      const restarting = containers.find((c) => c.State === 'restarting');
      if (restarting) {
        restartingSince ??= Date.now();
        if (Date.now() - restartingSince > RESTART_GRACE_MS) {
          const logs = await lastLogs(docker, restarting.Id);
          throw new StepFailure(`container ${restarting.Names?.[0]?.replace(/^\//, '')} keeps restarting${logs ? `: ${logs}` : ''}`);
        }
        lastReason = 'a container is restarting';
      } else if (containers.every((c) => c.State === 'running')) {
        restartingSince = null;
        if (!announced) {
          report.ok(`${containers.length} container(s) running`, { containers: containers.map((c) => c.Names?.[0]?.replace(/^\//, '')) });
          announced = true;
        }
        const answer = await httpAnswers(port);
        if (answer.ok) return `running; web port ${port} answers (HTTP ${answer.status})`;
        lastReason = `web port ${port} does not answer yet (${answer.reason})`;
      } else {
        lastReason = `containers are ${containers.map((c) => c.State).join(', ')}`;
      }
      await sleep(1000, signal);
    }
    throw new StepFailure(`not healthy after ${deps.config.healthTimeoutS}s: ${lastReason}`);
  },
};
