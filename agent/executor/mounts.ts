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
import { StepFailure, type Step, type StepContext } from './types';

/** The compose in work.composeFile: as this run wrote it (prepare), or read from the file (start, restart). */
function composeOnDisk(ctx: StepContext): Record<string, unknown> {
  const { work } = ctx;
  const written = work.made.written;
  if (!existsSync(work.composeFile)) throw new StepFailure(`${work.composeFile} is missing; install the app again`);
  if (written?.file === work.composeFile) return written.value;
  return parseYamlBounded(readFileSync(work.composeFile, 'utf8')).value as Record<string, unknown>;
}

/** Checks the host paths of work.composeFile; returns what the step reports. */
export function checkComposePaths(ctx: StepContext): string {
  const { work, deps, task, report } = ctx;
  const doc = composeOnDisk(ctx);
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
async function stopBeforeUpdate(ctx: StepContext): Promise<void> {
  const { task, work, deps } = ctx;
  if (!RECREATING_KINDS.has(task.kind) || work.switchFrom || !existsSync(work.composeFile)) return;
  if ((await assertOwnProject(ctx)) === 0) return;
  try {
    await deps.compose.stop({ project: work.project, file: work.composeFile }, { signal: ctx.signal });
  } catch (e) {
    if (e instanceof ComposeError) throw new StepFailure(explainComposeError(e.message));
    throw e;
  }
}

const RECREATING_KINDS = new Set<string>(['update', 'rollback', 'reconfigure']);

export const mountsStep: Step = {
  name: 'mounts',
  title: 'Resolving the host folders the containers mount',
  async run(ctx) {
    await stopBeforeUpdate(ctx);
    return checkComposePaths(ctx);
  },
};
