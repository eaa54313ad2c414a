/**
 * Faults on the control plane's side, with the agent mid-task:
 * - restart: the control plane is a process of its own on a libSQL file; it is killed (-9, or
 *   SIGTERM in the soak run) while one task is in hand and others are queued, and started again on
 *   the same port and file. Every task ends once, claimed once, with every event stored once.
 * - unreachable: the agent reaches the control plane through a TCP proxy that the test pauses (~10 s
 *   here, a minute in the soak run; connection refused, and in the soak run also a black hole where
 *   requests hang, and an outage longer than the task's lease). The task in hand finishes on the HDA
 *   meanwhile; its events and result arrive after, and a task queued during the outage runs next.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../helpers/requirements';
import { probeTestbed } from '../helpers/testbed';
import { FaultBed, SOAK, sleep, Tally } from './fault-kit';

const probe = probeTestbed();
const available = requireOrSkip('fault suite testbed (Docker, Compose v1, Apache)', probe.ok, probe.ok ? '' : probe.reason);

// Shorter than the soak run's outages, so a lease runs out while the agent cannot report.
const LEASE_S = 30;

describe.skipIf(!available)('faults: the control plane restarts or becomes unreachable while tasks are in flight', () => {
  const restarts = new Tally('control plane restart');
  const outages = new Tally('control plane unreachable');
  let bed: FaultBed;
  const outageNotes: string[] = [];

  beforeAll(async () => {
    if (!probe.ok) return;
    bed = new FaultBed({ tb: probe.testbed, plane: { mode: 'process', config: { leaseS: LEASE_S } }, proxy: true });
    await bed.setup();
  });

  afterAll(async () => {
    restarts.print(SOAK ? 'kill -9 mid-step, SIGTERM, kill -9 while the result is posted, three restarts in a row' : 'kill -9 mid-step with two tasks queued');
    outages.print(outageNotes.join(', '));
    await bed?.teardown();
  });

  /**
   * Three installs queued; the agent stops at `hold` in the first; then `fault` runs with the agent
   * held, the agent carries on, and every task must end consistent.
   */
  async function threeTasks(label: string, hold: string, fault: () => Promise<void>, tally: Tally, extra: { afterRelease?: () => Promise<void> } = {}) {
    const slugs = [await bed.publish('cpa'), await bed.publish('cpb'), await bed.publish('cpc')];
    await bed.stopAgent();
    bed.startHookedAgent(hold);
    const queued = [];
    for (const s of slugs) queued.push(await bed.install(s));
    const held = await bed.waitHeld();
    expect(held.task).toBe(queued[0].taskId);
    await fault();
    bed.release();
    await extra.afterRelease?.();
    const outcomes = [];
    for (const [i, q] of queued.entries()) {
      outcomes.push(
        await bed.check(`task ${i + 1}`, q.taskId, q.installId, {
          state: 'succeeded',
          installState: 'running',
          body: 'Stand-in for web',
          rerun: false,
          attempts: 1,
        }),
      );
    }
    tally.record(label, outcomes);
    expect(
      outcomes.flatMap((o) => o.problems),
      bed.agentOutput(),
    ).toEqual([]);
    await bed.stopAgent();
    for (const s of slugs) await bed.removeEverything(s);
  }

  it('kill -9 of the control plane while the agent is in health with two tasks queued; started again on the same file', async () => {
    await threeTasks(
      'restart kill -9 at health',
      'install:health:before',
      async () => {
        await bed.stopPlane('SIGKILL');
        await sleep(1500);
        await bed.startPlane();
      },
      restarts,
    );
  });

  it.runIf(SOAK)('SIGTERM of the control plane while the agent pulls, down for 5 s while the task goes on', async () => {
    await threeTasks(
      'restart SIGTERM at pull',
      'install:pull:before',
      async () => {
        await bed.stopPlane('SIGTERM');
      },
      restarts,
      {
        afterRelease: async () => {
          await sleep(5000);
          await bed.startPlane();
        },
      },
    );
  });

  it.runIf(SOAK)('kill -9 of the control plane just as the agent posts a result', async () => {
    await threeTasks(
      'restart kill -9 at report',
      'install:report',
      async () => {
        await bed.stopPlane('SIGKILL');
      },
      restarts,
      {
        afterRelease: async () => {
          await sleep(3000);
          await bed.startPlane();
        },
      },
    );
  });

  it.runIf(SOAK)('three kill -9 restarts in a row while tasks run', async () => {
    await threeTasks('restart kill -9 x3', 'install:up:before', async () => undefined, restarts, {
      afterRelease: async () => {
        for (let i = 0; i < 3; i++) {
          await bed.stopPlane('SIGKILL');
          await sleep(1000);
          await bed.startPlane();
          await sleep(1500);
        }
      },
    });
  });

  async function outage(label: string, mode: 'refuse' | 'blackhole', seconds: number) {
    const slug = await bed.publish('cpo');
    const later = await bed.publish('cpl');
    await bed.stopAgent();
    bed.startHookedAgent('install:up:before');
    const first = await bed.install(slug);
    await bed.waitHeld();
    const t0 = Date.now();
    await bed.proxy!.pause(mode);
    bed.release();
    // The task in hand finishes on the HDA while nothing reaches the control plane...
    await sleep(2000);
    const queuedMeanwhile = await bed.install(later);
    await sleep(Math.max(0, seconds * 1000 - (Date.now() - t0)));
    const during = await bed.taskView(first.taskId);
    expect(during.task.state, 'nothing reached the control plane during the outage').toBe('claimed');
    await bed.proxy!.resume();
    const back = Date.now();
    await bed.waitTask(first.taskId);
    const firstIn = Date.now() - back;
    await bed.waitTask(queuedMeanwhile.taskId);
    const allIn = Date.now() - back;
    const outcomes = [];
    for (const [i, q] of [first, queuedMeanwhile].entries()) {
      outcomes.push(
        await bed.check(`task ${i + 1}`, q.taskId, q.installId, {
          state: 'succeeded',
          installState: 'running',
          body: 'Stand-in for web',
          rerun: false,
          attempts: 1,
        }),
      );
    }
    outages.record(label, outcomes);
    expect(
      outcomes.flatMap((o) => o.problems),
      bed.agentOutput(),
    ).toEqual([]);
    outageNotes.push(
      `${mode} ${seconds} s: result of the task in hand in ${(firstIn / 1000).toFixed(1)} s after, the task queued meanwhile done ${(allIn / 1000).toFixed(1)} s after`,
    );
    await bed.stopAgent();
    await bed.removeEverything(slug);
    await bed.removeEverything(later);
  }

  it(`unreachable for ${SOAK ? 60 : 10} s (connection refused) while a task runs; one more queued meanwhile`, async () => {
    await outage('outage refused', 'refuse', SOAK ? 60 : 10);
  });

  it.runIf(SOAK)('unreachable for 60 s as a black hole (requests hang) while a task runs', async () => {
    await outage('outage black hole', 'blackhole', 60);
  });
});
