/**
 * Step down: the catalog's uninstall script where the version gives one (its parsed, signed steps,
 * run like the install script's: `docker-compose down` is the agent's own down, chmod/mkdir stay in
 * the app folder, anything else refuses; a script whose signature does not verify is not run), then
 * `<compose> -p <identifier> down` in every case, so the containers and the network go. Without a
 * compose file (folder deleted by hand) the agent removes the containers carrying its own label.
 */
import { existsSync } from 'node:fs';
import { ComposeError } from '../docker/compose';
import { LABEL_MANAGED_BY, MANAGED_BY, projectContainers } from '../docker/containers';
import { describeDockerError } from '../docker/client';
import { runScriptSteps } from '../steps/script-steps';
import { assertOwnProject, explainComposeError } from './guard';
import { defineStep, type StepBase } from './steps';
import { StepFailure, type Target } from './types';
import { verifySignature } from './verify';
import { otherSlot, projectName } from '../slots';
import { NEXT_COMPOSE_FILE } from './paths';
import { dirname, join } from 'node:path';
import { rmSync } from 'node:fs';

/** A blue/green switch cut short (crash) can leave the other slot's project: it goes too. */
async function downOtherSlot(ctx: StepBase, target: Target): Promise<number> {
  const { work, deps } = ctx;
  const other = projectName(deps.config.namespace ?? '', work.identifier, otherSlot(target.slot));
  const left = (await projectContainers(await deps.docker.docker(), other)).filter((c) => c.Labels?.[LABEL_MANAGED_BY] === MANAGED_BY);
  if (left.length && existsSync(target.composeFile))
    await deps.compose.down({ project: other, file: target.composeFile }, { volumes: work.purge, signal: ctx.signal });
  rmSync(join(dirname(target.composeFile), NEXT_COMPOSE_FILE), { force: true });
  return left.length;
}

async function removeByLabel(ctx: StepBase, project: string): Promise<number> {
  const docker = await ctx.deps.docker.docker();
  const ours = (await projectContainers(docker, project)).filter((c) => c.Labels?.[LABEL_MANAGED_BY] === MANAGED_BY);
  for (const c of ours) await docker.getContainer(c.Id).remove({ force: true });
  const nets = await docker.listNetworks({ filters: { label: [`com.docker.compose.project=${project}`] } });
  for (const n of nets)
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
  return ours.length;
}

/** The uninstall script's steps, verified against the pinned keys first: they run as root. */
async function runUninstallScript(ctx: StepBase): Promise<number> {
  const { work, deps, report } = ctx;
  const steps = work.version?.uninstall_steps ?? [];
  if (steps.length === 0) return 0;
  if (!existsSync(work.appDir)) {
    report.warn(`${work.appDir} is gone; the uninstall script's ${steps.length} step(s) are not run`);
    return 0;
  }
  try {
    report.ok(`uninstall script: ${await verifySignature(ctx)}`);
  } catch (e) {
    // Unverified content never runs as root; the agent's own down below still removes the app.
    report.warn(`the uninstall script is not run: ${(e as Error).message}; the containers are removed with compose down`);
    return 0;
  }
  const run = deps.runScriptSteps ?? runScriptSteps;
  try {
    await run(steps, work.appDir, {
      downloadBaseUrl: deps.downloadBaseUrl,
      log: (status, message) => (status === 'OK' ? report.ok(`uninstall script ${message}`) : report.warn(`uninstall script ${message}`)),
    });
  } catch (e) {
    throw new StepFailure(`uninstall script step failed: ${(e as Error).message}`);
  }
  return steps.length;
}

export const downStep = defineStep({
  name: 'down',
  title: 'Stopping and removing the containers',
  needs: [],
  gives: [],
  async run(ctx) {
    const { work, deps } = ctx;
    const { target } = ctx.input;
    const { project, composeFile } = target;
    const count = await assertOwnProject(ctx, project);
    const scripted = await runUninstallScript(ctx);
    try {
      if (existsSync(composeFile)) {
        await deps.compose.down({ project, file: composeFile }, { volumes: work.purge, signal: ctx.signal });
      } else if (count > 0) {
        const n = await removeByLabel(ctx, project);
        ctx.report.warn(`${composeFile} is missing; removed ${n} labelled container(s) directly`);
      }
      const extra = await downOtherSlot(ctx, target);
      if (extra) ctx.report.ok(`also removed ${extra} container(s) of an unfinished blue/green switch`);
    } catch (e) {
      deps.docker.reset(e);
      if (e instanceof ComposeError) throw new StepFailure(explainComposeError(e.message));
      throw new StepFailure(describeDockerError(e, deps.docker.socketPath));
    }
    deps.onAppChanged?.();
    const script = scripted ? `ran the uninstall script (${scripted} step(s)), ` : '';
    return count ? `${script}removed ${count} container(s) of project ${project}` : `${script}no containers of project ${project} were left`;
  },
});
