/**
 * Steps stop and restart on the app's own project. Restart is stop, the host path check (mounts.ts),
 * start: Docker mounts bind sources again at every start, so they are checked with the app stopped.
 */
import { existsSync } from 'node:fs';
import { ComposeError } from '../docker/compose';
import { assertOwnProject, explainComposeError } from './guard';
import { checkComposePaths } from './mounts';
import { StepFailure, type Step, type StepContext } from './types';

async function composeAction(ctx: StepContext, action: 'stop' | 'restart'): Promise<number> {
  const { work, deps } = ctx;
  if (!existsSync(work.composeFile)) throw new StepFailure(`${work.composeFile} is missing; install the app again`);
  const count = await assertOwnProject(ctx);
  if (count === 0 && action === 'restart') throw new StepFailure(`no containers of project ${work.project} exist; start the app instead`);
  try {
    const p = { project: work.project, file: work.composeFile };
    await deps.compose.stop(p, { signal: ctx.signal });
    if (action === 'restart') {
      ctx.report.ok(checkComposePaths(ctx));
      await deps.compose.start(p, { signal: ctx.signal });
    }
  } catch (e) {
    if (e instanceof ComposeError) throw new StepFailure(explainComposeError(e.message));
    throw e;
  }
  deps.onAppChanged?.();
  return count;
}

export const stopStep: Step = {
  name: 'stop',
  title: 'Stopping the containers',
  async run(ctx) {
    const n = await composeAction(ctx, 'stop');
    ctx.deps.installs.setDesired(ctx.work.identifier, 'stopped');
    ctx.work.appState = 'stopped';
    return `stopped ${n} container(s)`;
  },
};

export const restartStep: Step = {
  name: 'restart',
  title: 'Restarting the containers',
  async run(ctx) {
    const n = await composeAction(ctx, 'restart');
    ctx.deps.installs.setDesired(ctx.work.identifier, 'running');
    return `restarted ${n} container(s)`;
  },
};
