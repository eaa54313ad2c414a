/**
 * Step mounts, right before every `up` (install, update, rollback, switch, start) and inside restart
 * between stop and start: every host path of the compose file the agent runs (as prepare wrote it in
 * this run, else read from the file) is resolved for real (binds.ts), missing bind folders are created,
 * and a path that leads outside its root refuses the start naming it. The file itself lies in the
 * agent's state dir, so only the agent could change it.
 * What remains (TOCTOU): between this check and Docker's mount, a container still running could swap
 * a checked folder for a link. Restart, an in-place update and a reconfigure stop the app's containers first (their
 * `up` would stop them anyway), so then only another app's container sharing a share root, or a
 * service the new version dropped (removed by `up --remove-orphans`), could; during a blue/green
 * switch the old slot keeps running by design. The window is the moment until Compose acts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseYamlBounded } from '../../core/catalog/yaml-io';
import { ComposeError } from '../docker/compose';
import { checkHostPaths, hostPathsOf, HostPathRefused } from './binds';
import { assertOwnProject, explainComposeError } from './guard';
import { defineStep, type StepBase } from './steps';
import { StepFailure, type Target, type Written } from './types';

/** The compose in `file`: as this run wrote it (prepare), or read from the file (start, restart). */
function composeOnDisk(file: string, written?: Written): Record<string, unknown> {
  if (!existsSync(file)) throw new StepFailure(`${file} is missing; install the app again`);
  if (written?.file === file) return written.value;
  return parseYamlBounded(readFileSync(file, 'utf8')).value as Record<string, unknown>;
}

/** Checks the host paths of the compose file in `file`; returns what the step reports. */
export function checkComposePaths(ctx: StepBase, file: string, written?: Written): string {
  const { work, deps, task, report } = ctx;
  const doc = composeOnDisk(file, written);
  let checked: ReturnType<typeof checkHostPaths>;
  try {
    checked = checkHostPaths(hostPathsOf(doc ?? {}), {
      appDir: work.appDir,
      shareRoots: deps.config.shareRoots,
      exceptions: task.payload.install?.policy_exceptions ?? [],
    });
  } catch (e) {
    if (e instanceof HostPathRefused) throw new StepFailure(e.message, { rule: 'host-path-escape' });
    throw new StepFailure(`checking the host paths failed: ${(e as Error).message}`);
  }
  const created = checked.flatMap((c) => c.created);
  if (created.length) report.ok(`created ${created.join(', ')}`, { created });
  return `${checked.length} host path(s) resolved inside their roots`;
}

/** An in-place update, rollback or reconfigure (and putting one back) recreates the app's containers anyway: stop them before the check. */
async function stopBeforeUpdate(ctx: StepBase, target: Target): Promise<void> {
  const { task, deps } = ctx;
  if (!RECREATING_KINDS.has(task.kind) || target.switchFrom || !existsSync(target.composeFile)) return;
  if ((await assertOwnProject(ctx, target.project)) === 0) return;
  try {
    await deps.compose.stop({ project: target.project, file: target.composeFile }, { signal: ctx.signal });
  } catch (e) {
    if (e instanceof ComposeError) throw new StepFailure(explainComposeError(e.message));
    throw e;
  }
}

const RECREATING_KINDS = new Set<string>(['update', 'rollback', 'reconfigure']);

export const mountsStep = defineStep({
  name: 'mounts',
  title: 'Resolving the host folders the containers mount',
  needs: [],
  gives: [],
  uses: ['written'],
  async run(ctx) {
    const { target, written } = ctx.input;
    await stopBeforeUpdate(ctx, target);
    return checkComposePaths(ctx, target.composeFile, written);
  },
});
