/**
 * Holds an app still for the moment a snapshot or restore needs: its running containers are stopped
 * (so a database flushes and closes its files; a pause would freeze it mid-write) and started again
 * after, the downtime measured from the first stop to the last start.
 */
import type Docker from 'dockerode';
import { projectContainers } from '../docker/containers';

export interface Quiesced {
  /** Containers that ran before and were stopped. */
  stopped: string[];
  startedAt: number;
}

export async function quiesce(docker: Docker, project: string, stopTimeoutS = 30): Promise<Quiesced> {
  const startedAt = Date.now();
  const running = (await projectContainers(docker, project)).filter((c) => c.State === 'running' || c.State === 'restarting' || c.State === 'paused');
  await Promise.all(running.map((c) => docker.getContainer(c.Id).stop({ t: stopTimeoutS }).catch(ignoreNotModified)));
  return { stopped: running.map((c) => c.Id), startedAt };
}

/** Starts what quiesce stopped; returns the downtime in ms. */
export async function resume(docker: Docker, q: Quiesced): Promise<number> {
  for (const id of q.stopped) await docker.getContainer(id).start().catch(ignoreNotModified);
  return Date.now() - q.startedAt;
}

/** Already in the wanted state (304), or gone since (404: a container an interrupted run stopped was removed). */
function ignoreNotModified(e: { statusCode?: number }): void {
  if (e?.statusCode !== 304 && e?.statusCode !== 404) throw e;
}
