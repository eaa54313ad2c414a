/**
 * Faults: kill -9 of `hda-agent` at each step of an install, an update and an uninstall, then a
 * restart, against the real control plane (Node entry, libSQL file), Docker, Compose and Apache.
 *
 * The agent runs with the fault hooks (agent-hooks.ts): it stops at the chosen point and writes a
 * marker; the test kills it there with SIGKILL (its children, e.g. a docker-compose in flight, live
 * on, as they do when the kernel's OOM killer takes the agent) and starts the real agent again on the
 * same state dir. Points: `before` (Starting journaled, nothing done), `after` (work done, Complete not
 * journaled), `during` (docker-compose up/down running), `report` (result journaled, not posted) and,
 * in the soak run, `claim` (the poll handed the task out, nothing journaled: it comes back after the
 * lease). Each case ends with FaultBed.check(): consistent host, API and event stream.
 *
 * npm test runs one kill per kind of step; `npm run test:soak` runs every step of the three kinds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../helpers/requirements';
import { probeTestbed } from '../helpers/testbed';
import { FaultBed, planOf, SOAK, Tally } from './fault-kit';

const probe = probeTestbed();
const available = requireOrSkip('fault suite testbed (Docker, Compose v1, Apache)', probe.ok, probe.ok ? '' : probe.reason);

type Kind = 'install' | 'update' | 'uninstall';
interface KillCase {
  kind: Kind;
  step: string;
  phase: 'before' | 'after' | 'during' | '';
}

function soakCases(): KillCase[] {
  const out: KillCase[] = [];
  for (const kind of ['install', 'update', 'uninstall'] as const) {
    for (const { name: step, conditional } of planOf(kind)) {
      // Not part of these tasks (retire: blue/green switches only; restore: a rollback with data), but the snapshot is.
      if (conditional && step !== 'snapshot') continue;
      for (const phase of ['before', 'after'] as const) out.push({ kind, step, phase });
      if (step === 'up' || step === 'down' || step === 'snapshot') out.push({ kind, step, phase: 'during' });
    }
    out.push({ kind, step: 'report', phase: '' });
  }
  out.push({ kind: 'install', step: 'claim', phase: '' });
  return out;
}

// One per kind of step: signature check, files, Docker (compose running), Apache (vhost written),
// the probe, the result report; an update in health; an uninstall in down.
const QUICK: KillCase[] = [
  { kind: 'install', step: 'verify', phase: 'before' },
  { kind: 'install', step: 'prepare', phase: 'after' },
  { kind: 'install', step: 'up', phase: 'during' },
  { kind: 'install', step: 'vhost', phase: 'after' },
  { kind: 'install', step: 'probe', phase: 'before' },
  { kind: 'install', step: 'report', phase: '' },
  { kind: 'update', step: 'health', phase: 'before' },
  // The data snapshot before the update: with the app stopped for it (during), and taken but not yet reported (after).
  { kind: 'update', step: 'snapshot', phase: 'during' },
  { kind: 'update', step: 'snapshot', phase: 'after' },
  { kind: 'uninstall', step: 'down', phase: 'after' },
];

const CASES = SOAK ? soakCases() : QUICK;
const LEASE_S = 20;
const name = (c: KillCase) => `${c.kind}:${c.step}${c.phase ? `:${c.phase}` : ''}`;

describe.skipIf(!available)('faults: kill -9 of the agent at each step, then a restart', () => {
  const tally = new Tally('kill -9 at step');
  let bed: FaultBed;

  beforeAll(async () => {
    if (!probe.ok) return;
    // A short lease, so a task claimed by an agent that died before journaling it comes back soon.
    bed = new FaultBed({ tb: probe.testbed, plane: { mode: 'inprocess', config: { leaseS: LEASE_S } } });
    await bed.setup();
  });

  afterAll(async () => {
    tally.print(`${SOAK ? 'full matrix' : 'quick subset'}: install, update, uninstall`);
    await bed?.teardown();
  });

  for (const c of CASES) {
    it(`kill -9 at ${name(c)}`, async () => {
      const slug = await bed.publish(`k${c.kind[0]}`);
      // Update and uninstall start from an installed 1.0, put there by a plain agent.
      let installId = '';
      if (c.kind !== 'install') installId = (await bed.installed(slug)).installId;
      await bed.stopAgent();

      bed.startHookedAgent(name(c));
      const taskId =
        c.kind === 'install' ? (await bed.install(slug)).taskId : await bed.action(installId, c.kind, c.kind === 'update' ? { version: '2.0' } : {});
      if (c.kind === 'install') installId = (await bed.taskView(taskId)).task.install_id!;
      const held = await bed.waitHeld();
      expect(held.task).toBe(taskId);
      await bed.agent!.kill9();
      const atKill = await bed.taskView(taskId);
      expect(atKill.task.state, 'the task is still in hand when the agent dies').toBe('claimed');

      bed.startAgent();
      const outcome = await bed.check(name(c), taskId, installId, {
        state: 'succeeded',
        installState: c.kind === 'uninstall' ? 'removed' : 'running',
        body: c.kind === 'update' ? 'Stand-in for alt' : c.kind === 'install' ? 'Stand-in for web' : undefined,
        version: c.kind === 'update' ? '2.0' : c.kind === 'install' ? '1.0' : undefined,
        // Killed mid-run: the journaled task runs again. At report: only the result is posted. At
        // claim: nothing was journaled; the task comes back after its lease, claimed a second time.
        rerun: c.step !== 'report' && c.step !== 'claim',
        attempts: c.step === 'claim' ? 2 : 1,
      });
      tally.record(name(c), [outcome]);
      await bed.stopAgent();
      expect(outcome.problems, bed.agentOutput()).toEqual([]);
      await bed.removeEverything(slug);
    });
  }
});
