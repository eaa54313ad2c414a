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
import type { AppTask, AppVersionContent, StepName } from '../../core/protocol';
import type { TaskReporter } from '../events';
import type { PlanFailure } from './index';
import { INSTALL_PLAN, RESTART_PLAN } from './plans';
import { putBack } from './restore';
import { restoreDataStep } from './restore-data';
import { localRepo } from '../backup/repo-local';
import type { ExecutorDeps, Step, SwitchFrom, TaskWork } from './types';
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

type RunSteps = (plan: Step[], work: TaskWork) => Promise<PlanFailure | null>;
type NewWork = (version: AppVersionContent, signature: string | null) => TaskWork;

/** Returns what the result's detail adds about the way back. */
export async function fallBack(input: FallbackInput, runSteps: RunSteps, newWork: NewWork): Promise<string> {
  const { task, work, failure, reporter, deps } = input;
  if (task.kind === 'reconfigure') return putBack({ ...input, restartPlan: RESTART_PLAN }, runSteps, CHANGES_NOTHING);
  if (task.kind !== 'update' && task.kind !== 'rollback') return '';
  // Past the probe the new version serves: there is nothing to return from.
  if (failure.step === 'retire' || failure.step === 'images') return '; the new version serves';
  if (work.switchFrom) return abandonSwitch(input);
  const previous = task.payload.previous;
  if (CHANGES_NOTHING.has(failure.step)) return deps.installs.get(work.identifier) ? '; nothing was changed, the running version keeps serving' : '';
  if (!previous) return '';
  // The data goes back with the image: the new version may have migrated it to a form the old one cannot read.
  const snap = work.snapshots?.[0];
  const withData = snap ? ` with its data as of snapshot ${snap.id.slice(0, 8)}` : '';
  reporter.emit('Warning', `rolling back to the previous deployment (${previous.version.version})${withData}`, undefined, {
    deployment_id: previous.deployment_id,
    ...(snap ? { snapshot_id: snap.id } : {}),
  });
  const back = newWork(previous.version, previous.signature ?? null);
  back.noSwitch = true;
  // The data as before the click: a rollback's own restore_snapshot is the data it was taking the app to.
  if (snap) back.restoreSnapshot = snap.id;
  else delete back.restoreSnapshot;
  const pins = deps.installs.get(work.identifier)?.history?.find((h) => h.version === previous.version.version)?.images;
  if (pins) back.restorePins = pins;
  const plan = input.restorePlan ?? INSTALL_PLAN;
  const again = await runSteps(snap ? withDataRestore(plan) : plan, back);
  if (back.restored) work.restored = back.restored;
  return again ? `; rolling back failed too at ${again.step}: ${again.reason}` : `; rolled back to ${previous.version.version}${withData}`;
}

/** The data goes back where an update would snapshot it: after the checks and the pull, before the app folder is written. */
function withDataRestore(steps: Step[]): Step[] {
  // The port was this install's a moment ago; a new container that exited leaves only its probes' closing sockets on it.
  const plan = steps.filter((s) => s.name !== 'ports');
  const at = plan.findIndex((s) => s.name === 'prepare');
  return at < 0 ? [restoreDataStep, ...plan] : [...plan.slice(0, at), restoreDataStep, ...plan.slice(at)];
}

async function abandonSwitch(input: FallbackInput): Promise<string> {
  const { task, work, reporter, deps } = input;
  const from = work.switchFrom!;
  const notes: string[] = [];
  reporter.emit('Warning', `abandoning the blue/green switch: ${from.project} on port ${from.port} keeps serving`, undefined, {
    project: from.project,
    port: from.port,
  });
  // Apache back to the old slot if the new vhost was already written.
  const vhost = deps.apache.readVhost(work.identifier);
  if (vhost?.includes(`127.0.0.1:${work.hostPort}/`)) {
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
    if (existsSync(work.composeFile)) await deps.compose.down({ project: work.project, file: work.composeFile });
    rmSync(work.composeFile, { force: true });
  } catch (e) {
    notes.push(`removing ${work.project} failed: ${(e as Error).message}`);
  }
  for (const n of notes) reporter.emit('Warning', n);
  const data = await sharedDataBack(input, from);
  return `; rolled back: the previous version kept serving from ${from.project} (blue/green) and the new containers were removed${notes.length ? ` (${notes.join('; ')})` : ''}${data}`;
}

/** The shared app folder as before the click, when the new slot changed it (shared-data.ts). */
async function sharedDataBack({ task, work, reporter, deps }: FallbackInput, from: SwitchFrom): Promise<string> {
  const before = work.snapshots?.[0];
  if (!before) return '';
  try {
    const { putBackSharedData } = await import('../backup/shared-data');
    const docker = await deps.docker.docker();
    const ref = { repo: localRepo(deps.config.stateDir), docker, identifier: work.identifier, project: from.project, appDir: work.appDir };
    const r = await putBackSharedData(ref, before, task.id);
    if (!r?.restored) return '; the shared data was left as it was (the new version changed none of it)';
    work.restored = before.id;
    const what = `the shared data was put back as of snapshot ${before.id.slice(0, 8)}; as the failed switch left it, it is kept in snapshot ${r.kept.slice(0, 8)}`;
    reporter.emit('OK', `${what}; ${from.project} was down ${r.downtime_ms} ms`, undefined, {
      snapshot_id: before.id,
      kept: r.kept,
      downtime_ms: r.downtime_ms,
    });
    return `; ${what}`;
  } catch (e) {
    const why = `putting the shared data back as of snapshot ${before.id.slice(0, 8)} failed: ${(e as Error).message}`;
    reporter.emit('Warning', why);
    return `; ${why}`;
  }
}
