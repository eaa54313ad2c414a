/**
 * Step down: the project's containers and network go (`<compose> -p <identifier> down`). Without a
 * compose file (folder deleted by hand) the agent removes the containers carrying its own label.
 */
import { existsSync } from 'node:fs';
import { ComposeError } from '../docker/compose';
import { LABEL_MANAGED_BY, MANAGED_BY, projectContainers } from '../docker/containers';
import { describeDockerError } from '../docker/client';
import { assertOwnProject, explainComposeError } from './guard';
import { StepFailure, type Step, type StepContext } from './types';

async function removeByLabel(ctx: StepContext): Promise<number> {
  const docker = await ctx.deps.docker.docker();
  const ours = (await projectContainers(docker, ctx.work.identifier)).filter((c) => c.Labels?.[LABEL_MANAGED_BY] === MANAGED_BY);
  for (const c of ours) await docker.getContainer(c.Id).remove({ force: true });
  const nets = await docker.listNetworks({ filters: { label: [`com.docker.compose.project=${ctx.work.identifier}`] } });
  for (const n of nets) await docker.getNetwork(n.Id).remove().catch(() => undefined);
  return ours.length;
}

export const downStep: Step = {
  name: 'down',
  title: 'Stopping and removing the containers',
  async run(ctx) {
    const { work, deps } = ctx;
    const count = await assertOwnProject(ctx);
    try {
      if (existsSync(work.composeFile)) {
        await deps.compose.down({ project: work.identifier, file: work.composeFile, cwd: work.appDir }, { volumes: work.purge, signal: ctx.signal });
      } else if (count > 0) {
        const n = await removeByLabel(ctx);
        ctx.report.warn(`${work.composeFile} is missing; removed ${n} labelled container(s) directly`);
      }
    } catch (e) {
      deps.docker.reset(e);
      if (e instanceof ComposeError) throw new StepFailure(explainComposeError(e.message));
      throw new StepFailure(describeDockerError(e, deps.docker.socketPath));
    }
    deps.onAppChanged?.();
    return count ? `removed ${count} container(s) of project ${work.identifier}` : `no containers of project ${work.identifier} were left`;
  },
};
