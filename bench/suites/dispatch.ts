/**
 * Dispatch latency: from `POST /api/hdas/:id/installs` returning to the agent holding the task.
 * One simulated agent long-polls (`wait=30`); each task is queued while it waits, and it reports
 * events and a result so the queue advances. The comparison is an agent polling every 5 s
 * (Portainer's default), measured in the same run on fewer tasks, the POST made at a random phase.
 */
import type { ClaimedTask } from '../../core/protocol';
import { AgentClient, completeTask } from '../lib/agent-client';
import { enrolledHda, install, publishApp } from '../lib/api';
import type { Sizes } from '../lib/options';
import { startPlaneChild, type PlaneChild } from '../lib/plane';
import { median, percentile, round, sleep } from '../lib/stats';
import { withTempDir } from '../lib/tmp';

export interface LatencyFigures {
  tasks: number;
  /** POST returned -> agent holds the task, ms (0 when the agent had it before the POST's response arrived). */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** POST sent -> agent holds the task, ms (includes the POST's own work). */
  fromSentP50: number;
  /** Tasks the agent already held when the POST's response arrived. */
  heldBeforeReturn: number;
}

export interface DispatchResult {
  longPoll: LatencyFigures;
  interval5s: LatencyFigures;
  /** Median ratio: 5 s interval latency / long-poll latency (p50). */
  speedup: number;
}

const EVENTS = 4;

/** Task id -> when the agent held it and when it finished, filled in by whichever side comes first. */
class Rendezvous {
  private held = new Map<string, number>();
  private finished = new Map<string, () => void>();
  private done = new Set<string>();
  hold(id: string) {
    this.held.set(id, performance.now());
  }
  finish(id: string) {
    this.done.add(id);
    this.finished.get(id)?.();
  }
  heldAt(id: string) {
    return this.held.get(id);
  }
  waitDone(id: string, ms = 60_000) {
    if (this.done.has(id)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`task ${id} not finished within ${ms} ms`)), ms);
      this.finished.set(id, () => (clearTimeout(t), resolve()));
    });
  }
}

async function handle(client: AgentClient, rv: Rendezvous, tasks: ClaimedTask[]) {
  for (const task of tasks) {
    rv.hold(task.id);
    await completeTask(client, task, EVENTS);
    rv.finish(task.id);
  }
}

/** Long-polls until stopped. */
function longPollAgent(client: AgentClient, rv: Rendezvous) {
  const abort = new AbortController();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      const tasks = await client.poll(30, abort.signal).catch((e) => (abort.signal.aborted ? [] : Promise.reject(e)));
      await handle(client, rv, tasks);
    }
  })();
  return { stop: async () => (abort.abort(), await loop.catch(() => undefined)) };
}

/** Polls with wait=0 on a fixed 5 s schedule until stopped. */
function intervalAgent(client: AgentClient, rv: Rendezvous, everyMs = 5000) {
  let stopped = false;
  const loop = (async () => {
    const start = performance.now();
    for (let k = 1; !stopped; k++) {
      await handle(client, rv, await client.poll(0));
      const wait = start + k * everyMs - performance.now();
      if (wait > 0) await sleep(wait);
    }
  })();
  return { stop: async () => ((stopped = true), await loop) };
}

async function measure(plane: PlaneChild, hdaId: string, rv: Rendezvous, apps: string[], pause: () => number): Promise<LatencyFigures> {
  const fromReturn: number[] = [];
  const fromSent: number[] = [];
  let heldBeforeReturn = 0;
  for (const app of apps) {
    await sleep(pause());
    const sent = performance.now();
    const taskId = await install(plane.api, plane.adminToken, hdaId, app);
    const returned = performance.now();
    await rv.waitDone(taskId);
    const held = rv.heldAt(taskId)!;
    if (held <= returned) heldBeforeReturn++;
    fromReturn.push(Math.max(0, held - returned));
    fromSent.push(held - sent);
  }
  return {
    tasks: apps.length,
    p50: round(median(fromReturn)),
    p90: round(percentile(fromReturn, 90)),
    p99: round(percentile(fromReturn, 99)),
    max: round(Math.max(...fromReturn)),
    fromSentP50: round(median(fromSent)),
    heldBeforeReturn,
  };
}

export async function dispatchSuite(sizes: Sizes, log: (line: string) => void): Promise<DispatchResult> {
  return withTempDir('dispatch', async (dataDir) => {
    const plane = await startPlaneChild(dataDir, sizes.pragmas);
    try {
      const longApps = Array.from({ length: sizes.dispatchTasks }, (_, i) => `lp-${i + 1}`);
      const slowApps = Array.from({ length: sizes.intervalTasks }, (_, i) => `iv-${i + 1}`);
      log(`dispatch: publishing ${longApps.length + slowApps.length} apps`);
      for (const app of [...longApps, ...slowApps]) await publishApp(plane.api, plane.adminToken, app);

      const fast = await enrolledHda(plane.api, plane.adminToken, 'longpoll');
      const rvFast = new Rendezvous();
      const agentFast = longPollAgent(new AgentClient(plane.child.url, fast.agentToken), rvFast);
      // The agent reports and polls again between tasks: give it a moment to be waiting again.
      const longPoll = await measure(plane, fast.hdaId, rvFast, longApps, () => 40 + Math.random() * 40);
      await agentFast.stop();
      log(`dispatch: long-poll p50 ${longPoll.p50} ms over ${longPoll.tasks} tasks`);

      const slow = await enrolledHda(plane.api, plane.adminToken, 'interval');
      const rvSlow = new Rendezvous();
      const agentSlow = intervalAgent(new AgentClient(plane.child.url, slow.agentToken), rvSlow);
      const interval5s = await measure(plane, slow.hdaId, rvSlow, slowApps, () => Math.random() * 5000);
      await agentSlow.stop();
      log(`dispatch: 5 s interval p50 ${interval5s.p50} ms over ${interval5s.tasks} tasks`);
      return { longPoll, interval5s, speedup: round(interval5s.p50 / Math.max(longPoll.p50, 0.01), 0) };
    } finally {
      await plane.child.close();
    }
  });
}
