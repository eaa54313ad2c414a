/**
 * Scale: N simulated agents (bench/lib/agent-client.ts, many per process, real HTTP) long-poll one
 * Node control plane while M tasks are queued across them through the API. Reports the time to
 * drain, and checks in the database that every task reached a final state, none was claimed twice,
 * and every event and result was stored.
 */
import { startChild, type Child } from '../lib/children';
import { queueChecks, type QueueChecks } from '../lib/db-checks';
import { enrolledHda, inParallel, install, publishApp } from '../lib/api';
import type { Sizes } from '../lib/options';
import { startPlaneChild } from '../lib/plane';
import { sampler } from '../lib/sampler';
import { round, sleep } from '../lib/stats';
import { withTempDir } from '../lib/tmp';

const EVENTS = 6;
const API_CONCURRENCY = 8;

export interface ScaleResult {
  agents: number;
  tasks: number;
  eventsPerTask: number;
  setupS: number;
  enqueueS: number;
  drainS: number;
  /** From the last task queued to the last task finished: how far the agents trail the queue. */
  tailS: number;
  tasksPerS: number;
  /** Task ids the agents received more than once (a double claim). */
  duplicateClaims: number;
  agentErrors: number;
  agentErrorStatuses: Record<string, number>;
  /** Plane RSS with every agent parked in its long-poll, before any task. */
  planeRssParkedMb: number;
  planeRssPeakMb: number;
  db: QueueChecks;
  /** All invariants held: every task succeeded, attempts = 1, events and results all stored. */
  ok: boolean;
}

interface Final {
  claimed: string[];
  errors: number;
  statuses: Record<string, number>;
}

type Plane = Awaited<ReturnType<typeof startPlaneChild>>;
type Enrolled = { hdaId: string; agentToken: string };

/** Publishes the apps and enrolls every simulated HDA (not timed as the drain). */
async function setUp(plane: Plane, sizes: Sizes) {
  const apps = Array.from({ length: Math.ceil(sizes.scaleTasks / sizes.agents) }, (_, i) => `app-${i + 1}`);
  for (const app of apps) await publishApp(plane.api, plane.adminToken, app);
  const hdas: Enrolled[] = new Array(sizes.agents);
  await inParallel([...hdas.keys()], API_CONCURRENCY, async (i) => {
    hdas[i] = await enrolledHda(plane.api, plane.adminToken, `hda-${i}`);
  });
  return { apps, hdas };
}

/** Starts the agent processes, each with its share of the tokens; `done()` counts tasks finished across them. */
async function startFleets(plane: Plane, sizes: Sizes, hdas: Enrolled[], fleets: Child[]) {
  let done = 0;
  const perFleet = Math.ceil(sizes.agents / sizes.fleetProcesses);
  for (let f = 0; f < sizes.fleetProcesses; f++) {
    const fleet = await startChild('children/agent-fleet.ts');
    const counted = { done: 0 };
    fleet.proc.on('message', (m: { type: string; done?: number }) => {
      if (m.type !== 'progress') return;
      done += m.done! - counted.done;
      counted.done = m.done!;
    });
    const tokens = hdas.slice(f * perFleet, (f + 1) * perFleet).map((h) => h.agentToken);
    fleets.push(fleet);
    await Promise.all([fleet.next('started'), fleet.send({ type: 'start', url: plane.child.url, tokens, events: EVENTS })]);
  }
  return () => done;
}

/** Waits until `total` tasks are done; a child that died fails the row now rather than at the deadline. */
async function drain(plane: Plane, fleets: Child[], done: () => number, total: number, t0: number) {
  const deadline = t0 + 15 * 60_000;
  while (done() < total && performance.now() < deadline) {
    const dead = [plane.child, ...fleets].find((c) => c.ended());
    if (dead) throw new Error(`scale: ${dead.name} ${dead.ended()} with ${done()}/${total} tasks done`);
    await sleep(50);
  }
}

/** Stops the fleets and gathers what each claimed and which errors it saw. */
async function stopFleets(fleets: Child[]) {
  const finals: Final[] = [];
  for (const fleet of fleets) {
    const [final] = await Promise.all([fleet.next<Final>('final', 60_000), fleet.send({ type: 'stop' })]);
    finals.push(final);
  }
  const statuses: Record<string, number> = {};
  for (const f of finals) for (const [k, v] of Object.entries(f.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return { claimed: finals.flatMap((f) => f.claimed), errors: finals.reduce((a, f) => a + f.errors, 0), statuses };
}

export async function scaleSuite(sizes: Sizes, log: (line: string) => void): Promise<ScaleResult> {
  return withTempDir('scale', async (dataDir) => {
    const plane = await startPlaneChild(dataDir, sizes.pragmas);
    const fleets: Child[] = [];
    try {
      const setupStart = performance.now();
      const { apps, hdas } = await setUp(plane, sizes);
      const setupS = (performance.now() - setupStart) / 1000;
      log(`scale: ${sizes.agents} HDAs enrolled in ${round(setupS, 1)} s; starting ${sizes.fleetProcesses} agent process(es)`);
      const done = await startFleets(plane, sizes, hdas, fleets);
      await sleep(2000); // every agent parked in its long-poll
      const parkedRss = await plane.child.rss();

      const rss = sampler(() => plane.child.rss(), 500);
      rss.start();
      const t0 = performance.now();
      const jobs = apps.flatMap((app) => hdas.map((h) => ({ app, hdaId: h.hdaId }))).slice(0, sizes.scaleTasks);
      await inParallel(jobs, API_CONCURRENCY, async (job) => void (await install(plane.api, plane.adminToken, job.hdaId, job.app)));
      const enqueueS = (performance.now() - t0) / 1000;
      log(`scale: ${jobs.length} tasks queued in ${round(enqueueS, 1)} s (${done()} already done)`);
      await drain(plane, fleets, done, jobs.length, t0);
      const drainS = (performance.now() - t0) / 1000;
      const rssStats = rss.stop();
      log(`scale: ${done()}/${jobs.length} tasks done ${round(drainS, 1)} s after the first was queued`);

      const { claimed, errors, statuses } = await stopFleets(fleets);
      await plane.child.close();
      const db = await queueChecks(`${dataDir}/hda.db`, EVENTS);
      const duplicateClaims = claimed.length - new Set(claimed).size;
      return {
        agents: sizes.agents,
        tasks: jobs.length,
        eventsPerTask: EVENTS,
        setupS: round(setupS, 1),
        enqueueS: round(enqueueS, 1),
        drainS: round(drainS, 1),
        tailS: round(drainS - enqueueS, 1),
        tasksPerS: round(jobs.length / drainS, 0),
        duplicateClaims,
        agentErrors: errors,
        agentErrorStatuses: statuses,
        planeRssParkedMb: round(parkedRss / 1048576, 1),
        planeRssPeakMb: round(rssStats.max / 1048576, 1),
        db,
        ok: queueHeld(db, jobs.length) && duplicateClaims === 0,
      };
    } finally {
      for (const fleet of fleets) await fleet.close();
      await plane.child.close();
    }
  });
}

/** Every task succeeded once, with all its events and its result stored. */
const queueHeld = (db: QueueChecks, tasks: number) =>
  db.tasks === tasks &&
  (db.byState.succeeded ?? 0) === tasks &&
  db.attemptsNotOne === 0 &&
  db.events === tasks * EVENTS &&
  db.tasksWithWrongEventCount === 0 &&
  db.results === tasks;
