/**
 * Step logs (an aux task: it runs beside the main task): the last N lines of each container of the
 * app's live project, stdout and stderr apart, as OK events whose data is a LogChunk. With follow_s
 * the new lines stream for that long (or until the agent stops), sent in batches every half second.
 */
import type { LogChunk } from '../../core/protocol';
import { describeDockerError } from '../docker/client';
import { projectContainers } from '../docker/containers';
import { ChunkBuffer, followLogs, tailLogs } from '../docker/logs';
import { defineStep } from './steps';
import { StepFailure } from './types';

const MAX_TAIL = 5000;
const MAX_FOLLOW_S = 600;
const FLUSH_MS = 500;

export const logsStep = defineStep<'logs'>({
  name: 'logs',
  title: 'Reading the container logs',
  needs: [],
  gives: [],
  async run({ task, deps, report, signal, stopSoon, input }) {
    const { project } = input.target;
    const req = task.payload.logs ?? { tail: 200 };
    const tail = Math.max(1, Math.min(MAX_TAIL, Math.floor(Number(req.tail) || 200)));
    const followS = Math.max(0, Math.min(MAX_FOLLOW_S, Math.floor(Number(req.follow_s) || 0)));
    let lines = 0;
    const buffer = new ChunkBuffer((chunk: LogChunk) =>
      report.ok(`${chunk.container} ${chunk.stream}: ${chunk.lines.length} line(s)`, chunk as unknown as Record<string, unknown>),
    );
    try {
      const docker = await deps.docker.docker();
      const containers = (await projectContainers(docker, project)).sort((a, b) => (a.Names?.[0] ?? '').localeCompare(b.Names?.[0] ?? ''));
      if (containers.length === 0) throw new StepFailure(`no containers of project ${project} exist`);
      const add = (name: string) => (stream: LogChunk['stream'], line: string) => {
        lines++;
        buffer.add(name, stream, line);
      };
      const nameOf = (c: (typeof containers)[number]) => c.Names?.[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12);
      if (followS === 0) {
        for (const c of containers) {
          await tailLogs(docker, c.Id, tail, add(nameOf(c)));
          buffer.flush();
        }
        return `${lines} line(s) from ${containers.length} container(s)`;
      }
      const until = new AbortController();
      const end = () => until.abort();
      const timer = setTimeout(end, followS * 1000);
      signal.addEventListener('abort', end, { once: true });
      stopSoon?.addEventListener('abort', end, { once: true });
      const flusher = setInterval(() => buffer.flush(), FLUSH_MS);
      try {
        await Promise.all(containers.map((c) => followLogs(docker, c.Id, tail, until.signal, add(nameOf(c)))));
      } finally {
        clearTimeout(timer);
        clearInterval(flusher);
        signal.removeEventListener('abort', end);
        stopSoon?.removeEventListener('abort', end);
        buffer.flush();
      }
      const early = stopSoon?.aborted ? ' (ended early: the agent is stopping)' : '';
      return `${lines} line(s) from ${containers.length} container(s), followed for up to ${followS}s${early}`;
    } catch (e) {
      if (e instanceof StepFailure) throw e;
      deps.docker.reset(e);
      throw new StepFailure(describeDockerError(e, deps.docker.socketPath));
    }
  },
});
