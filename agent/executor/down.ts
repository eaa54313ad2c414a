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
import { StepFailure, type Step, type StepContext } from './types';
import { verifyStep } from './verify';
import { otherSlot, projectName } from '../slots';
import { NEXT_COMPOSE_FILE } from './paths';
import { dirname, join } from 'node:path';
import { rmSync } from 'node:fs';

/** A blue/green switch cut short (crash) can leave the other slot's project: it goes too. */
async function downOtherSlot(ctx: StepContext): Promise<number> {
  const { work, deps } = ctx;
  const other = projectName(deps.config.namespace ?? '', work.identifier, otherSlot(work.slot));
  const left = (await projectContainers(await deps.docker.docker(), other)).filter((c) => c.Labels?.[LABEL_MANAGED_BY] === MANAGED_BY);
  if (left.length && existsSync(work.composeFile))
    await deps.compose.down({ project: other, file: work.composeFile }, { volumes: work.purge, signal: ctx.signal });
  rmSync(join(dirname(work.composeFile), NEXT_COMPOSE_FILE), { force: true });
  return left.length;
}

async function removeByLabel(ctx: StepContext): Promise<number> {
  const docker = await ctx.deps.docker.docker();
  const ours = (await projectContainers(docker, ctx.work.project)).filter((c) => c.Labels?.[LABEL_MANAGED_BY] === MANAGED_BY);
  for (const c of ours) await docker.getContainer(c.Id).remove({ force: true });
  const nets = await docker.listNetworks({ filters: { label: [`com.docker.compose.project=${ctx.work.project}`] } });
  for (const n of nets)
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
  return ours.length;
}

/** The uninstall script's steps, verified against the pinned keys first: they run as root. */
async function runUninstallScript(ctx: StepContext): Promise<number> {
  const { work, deps, report } = ctx;
  const steps = work.version?.uninstall_steps ?? [];
  if (steps.length === 0) return 0;
  if (!existsSync(work.appDir)) {
    report.warn(`${work.appDir} is gone; the uninstall script's ${steps.length} step(s) are not run`);
    return 0;
  }
  try {
    report.ok(`uninstall script: ${await verifyStep.run(ctx)}`);
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

export const downStep: Step = {
  name: 'down',
  title: 'Stopping and removing the containers',
  async run(ctx) {
    const { work, deps } = ctx;
    const count = await assertOwnProject(ctx);
    const scripted = await runUninstallScript(ctx);
    try {
      if (existsSync(work.composeFile)) {
        await deps.compose.down({ project: work.project, file: work.composeFile }, { volumes: work.purge, signal: ctx.signal });
      } else if (count > 0) {
        const n = await removeByLabel(ctx);
        ctx.report.warn(`${work.composeFile} is missing; removed ${n} labelled container(s) directly`);
      }
      const extra = await downOtherSlot(ctx);
      if (extra) ctx.report.ok(`also removed ${extra} container(s) of an unfinished blue/green switch`);
    } catch (e) {
      deps.docker.reset(e);
      if (e instanceof ComposeError) throw new StepFailure(explainComposeError(e.message));
      throw new StepFailure(describeDockerError(e, deps.docker.socketPath));
    }
    deps.onAppChanged?.();
    const script = scripted ? `ran the uninstall script (${scripted} step(s)), ` : '';
    return count ? `${script}removed ${count} container(s) of project ${work.project}` : `${script}no containers of project ${work.project} were left`;
  },
};
