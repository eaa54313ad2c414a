/**
 * What a failed reconfigure leaves behind: the compose file and ports that ran before are put back
 * and started again, and Apache pointed at the old port, so the app runs on its old settings. When
 * that fails too the result says both reasons (and the app's state shows it is not running).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { TaskReporter } from '../events';
import { writeFileAtomic } from '../fs-atomic';
import type { InstallRecord } from '../installs';
import { liveSlot } from '../slots';
import type { ExecutorDeps, RunningSettings, Step, TaskWork } from './types';
import type { PlanFailure } from './index';

/** The settings an app runs with now: its compose file and ports (none when it never ran here). */
export function runningSettings(rec: InstallRecord | undefined, composeFile: string, namespace: string): RunningSettings | undefined {
  if (!rec || !existsSync(composeFile)) return undefined;
  const live = liveSlot(rec, namespace, rec.identifier, rec.host_port);
  return { compose: readFileSync(composeFile, 'utf8'), hostPort: live.port, installPort: rec.host_port };
}

interface PutBackInput {
  work: TaskWork;
  failure: PlanFailure;
  reporter: TaskReporter;
  deps: ExecutorDeps;
  /** The steps that start the old settings again (up, health, vhost, reload). */
  restartPlan: Step[];
}

type RunSteps = (plan: Step[], work: TaskWork) => Promise<PlanFailure | null>;

/** Returns what the result's detail adds about the way back. */
export async function putBack({ work, failure, reporter, deps, restartPlan }: PutBackInput, runSteps: RunSteps, changesNothing: Set<string>): Promise<string> {
  const before = work.before;
  const target = work.made.target;
  if (changesNothing.has(failure.step) || !before) return '; nothing was changed, the app runs as before';
  reporter.emit('Warning', `putting back the settings that ran before (host port ${before.hostPort})`, undefined, { host_port: before.hostPort });
  try {
    writeFileAtomic(target.composeFile, before.compose, 0o600);
    deps.installs.patch(work.identifier, { host_port: before.installPort, ...(target.slot === 'b' ? { live_port: before.hostPort } : {}) });
  } catch (e) {
    return `; putting back the previous settings failed too: ${(e as Error).message}`;
  }
  // Nothing the failed run produced carries over: the steps read the old file just put back.
  const back: TaskWork = { ...work, made: { target: { ...target, hostPort: before.hostPort, installPort: before.installPort } } };
  const again = await runSteps(restartPlan, back);
  return again
    ? `; putting back the previous settings failed too at ${again.step}: ${again.reason}`
    : '; the previous settings were put back and the app runs on them';
}
