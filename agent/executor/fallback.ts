/**
 * What a failed update or rollback leaves behind. A blue/green switch that failed is abandoned: the
 * old slot never stopped serving, so Apache is pointed back at it (if it had moved), the new slot is
 * removed, and the shared data is put back as before the click if the new slot changed it. An
 * in-place update or rollback that failed after it changed something goes back to the previous
 * deployment (payload.previous) with its recorded images and the data of the snapshot taken before
 * the click (never the data a rollback had restored). A failure before anything changed (verify,
 * render, policy, pull) needs nothing: the running version keeps serving.
 */
import { existsSync, rmSync } from 'node:fs';
import type { AppTask, AppVersionContent, StepName, TaskOf } from '../../core/protocol';
import type { TaskReporter } from '../events';
import type { PlanFailure } from './index';
import { INSTALL_PLAN, RESTART_PLAN } from './plans';
import { putBack } from './restore';
import { restoreDataStep } from './restore-data';
import { localRepo } from '../backup/repo-local';
import type { BackInputs, ExecutorDeps, Step, SwitchFrom, TaskWork } from './types';
import { vhostContent } from './vhost';

export interface FallbackInput {
  task: AppTask;
  work: TaskWork;
  failure: PlanFailure;
  reporter: TaskReporter;
  deps: ExecutorDeps;
  /** The steps that return to the previous deployment (the install steps). */
  restorePlan?: Step[];
}

/** Steps before which a failed update has changed nothing on the host: there is nothing to undo. */
const CHANGES_NOTHING = new Set<string>(['ports', 'verify', 'render', 'policy', 'pull', 'snapshot', 'restore'] satisfies StepName[]);

type Previous = NonNullable<TaskOf<'update'>['payload']['previous']>;
type RunSteps = (plan: Step[], work: TaskWork) => Promise<PlanFailure | null>;
type NewWork = (version: AppVersionContent, signature: string | null, back: BackInputs) => TaskWork;

/** What the result's detail adds about the way back, and the snapshot whose data it put back. */
export interface FallbackOutcome {
  detail: string;
  restored?: string;
}

export async function fallBack(input: FallbackInput, runSteps: RunSteps, newWork: NewWork): Promise<FallbackOutcome> {
  const { task, work, failure, deps } = input;
  if (task.kind === 'reconfigure') return { detail: await putBack({ ...input, restartPlan: RESTART_PLAN }, runSteps, CHANGES_NOTHING) };
  if (task.kind !== 'update' && task.kind !== 'rollback') return { detail: '' };
  // Past the probe the new version serves: there is nothing to return from.
  if (failure.step === 'retire' || failure.step === 'images') return { detail: '; the new version serves' };
  if (work.made.target.switchFrom) return abandonSwitch(input);
  if (CHANGES_NOTHING.has(failure.step))
    return { detail: deps.installs.get(work.identifier) ? '; nothing was changed, the running version keeps serving' : '' };
  return task.payload.previous ? backToPrevious(input, task.payload.previous, runSteps, newWork) : { detail: '' };
}

/** An in-place update that changed something: the previous deployment again, with its data as the snapshot holds it. */
async function backToPrevious(input: FallbackInput, previous: Previous, runSteps: RunSteps, newWork: NewWork): Promise<FallbackOutcome> {
  const { work, reporter, deps } = input;
  // The data goes back with the image: the new version may have migrated it to a form the old one cannot read.
  const snap = work.made.snapshot?.report;
  const withData = snap ? ` with its data as of snapshot ${snap.id.slice(0, 8)}` : '';
  reporter.emit('Warning', `rolling back to the previous deployment (${previous.version.version})${withData}`, undefined, {
    deployment_id: previous.deployment_id,
    ...(snap ? { snapshot_id: snap.id } : {}),
  });
  const pins = deps.installs.get(work.identifier)?.history?.find((h) => h.version === previous.version.version)?.images;
  const back = newWork(previous.version, previous.signature ?? null, {
    noSwitch: true,
    // The data as before the click: a rollback's own restore_snapshot is the data it was taking the app to.
    restoreSnapshot: snap?.id,
    ...(pins ? { restorePins: pins } : {}),
  });
  const plan = input.restorePlan ?? INSTALL_PLAN;
  const again = await runSteps(snap ? withDataRestore(plan) : plan, back);
  const restored = back.made.restored?.id;
  const detail = again ? `; rolling back failed too at ${again.step}: ${again.reason}` : `; rolled back to ${previous.version.version}${withData}`;
  return { detail, ...(restored ? { restored } : {}) };
}

/** The data goes back where an update would snapshot it: after the checks and the pull, before the app folder is written. */
function withDataRestore(steps: Step[]): Step[] {
  // The port was this install's a moment ago; a new container that exited leaves only its probes' closing sockets on it.
  const plan = steps.filter((s) => s.name !== 'ports');
  const at = plan.findIndex((s) => s.name === 'prepare');
  return at < 0 ? [restoreDataStep, ...plan] : [...plan.slice(0, at), restoreDataStep, ...plan.slice(at)];
}

async function abandonSwitch(input: FallbackInput): Promise<FallbackOutcome> {
  const { task, work, reporter, deps } = input;
  const target = work.made.target;
  const from = target.switchFrom!;
  const notes: string[] = [];
  reporter.emit('Warning', `abandoning the blue/green switch: ${from.project} on port ${from.port} keeps serving`, undefined, {
    project: from.project,
    port: from.port,
  });
  // Apache back to the old slot if the new vhost was already written.
  const vhost = deps.apache.readVhost(work.identifier);
  if (vhost?.includes(`127.0.0.1:${target.hostPort}/`)) {
    try {
      deps.apache.writeVhost(work.identifier, vhostContent(deps, task, work, from.port));
      const test = await deps.apache.configtest();
      if (!test.ok) {
        deps.apache.rollback(work.identifier);
        throw new Error(`config test failed: ${test.output.slice(-300)}`);
      }
      await deps.apache.reload();
      deps.apache.commit(work.identifier);
    } catch (e) {
      notes.push(`pointing Apache back failed: ${(e as Error).message}`);
    }
  }
  try {
    if (existsSync(target.composeFile)) await deps.compose.down({ project: target.project, file: target.composeFile });
    rmSync(target.composeFile, { force: true });
  } catch (e) {
    notes.push(`removing ${target.project} failed: ${(e as Error).message}`);
  }
  for (const n of notes) reporter.emit('Warning', n);
  const data = await sharedDataBack(input, from);
  const removed = `; rolled back: the previous version kept serving from ${from.project} (blue/green) and the new containers were removed`;
  return { detail: `${removed}${notes.length ? ` (${notes.join('; ')})` : ''}${data.detail}`, ...(data.restored ? { restored: data.restored } : {}) };
}

/** The shared app folder as before the click, when the new slot changed it (shared-data.ts). */
async function sharedDataBack({ task, work, reporter, deps }: FallbackInput, from: SwitchFrom): Promise<FallbackOutcome> {
  const before = work.made.snapshot?.report;
  if (!before) return { detail: '' };
  try {
    const { putBackSharedData } = await import('../backup/shared-data');
    const docker = await deps.docker.docker();
    const ref = { repo: localRepo(deps.config.stateDir), docker, identifier: work.identifier, project: from.project, appDir: work.appDir };
    const r = await putBackSharedData(ref, before, task.id);
    if (!r?.restored) return { detail: '; the shared data was left as it was (the new version changed none of it)' };
    const what = `the shared data was put back as of snapshot ${before.id.slice(0, 8)}; as the failed switch left it, it is kept in snapshot ${r.kept.slice(0, 8)}`;
    reporter.emit('OK', `${what}; ${from.project} was down ${r.downtime_ms} ms`, undefined, {
      snapshot_id: before.id,
      kept: r.kept,
      downtime_ms: r.downtime_ms,
    });
    return { detail: `; ${what}`, restored: before.id };
  } catch (e) {
    const why = `putting the shared data back as of snapshot ${before.id.slice(0, 8)} failed: ${(e as Error).message}`;
    reporter.emit('Warning', why);
    return { detail: `; ${why}` };
  }
}
