/**
 * Steps stop and restart on the app's own project. Restart is stop, the host path check (mounts.ts),
 * start: Docker mounts bind sources again at every start, so they are checked with the app stopped.
 */
import { existsSync } from 'node:fs';
import { ComposeError } from '../docker/compose';
import { assertOwnProject, explainComposeError } from './guard';
import { checkComposePaths } from './mounts';
import { defineStep, type StepBase } from './steps';
import { StepFailure, type Target } from './types';

async function composeAction(ctx: StepBase, target: Target, action: 'stop' | 'restart'): Promise<number> {
  const { deps } = ctx;
  const { project, composeFile: file } = target;
  if (!existsSync(file)) throw new StepFailure(`${file} is missing; install the app again`);
  const count = await assertOwnProject(ctx, project);
  if (count === 0 && action === 'restart') throw new StepFailure(`no containers of project ${project} exist; start the app instead`);
  try {
    const p = { project, file };
    await deps.compose.stop(p, { signal: ctx.signal });
    if (action === 'restart') {
      ctx.report.ok(checkComposePaths(ctx, file));
      await deps.compose.start(p, { signal: ctx.signal });
    }
  } catch (e) {
    if (e instanceof ComposeError) throw new StepFailure(explainComposeError(e.message));
    throw e;
  }
  deps.onAppChanged?.();
  return count;
}

export const stopStep = defineStep({
  name: 'stop',
  title: 'Stopping the containers',
  needs: [],
  gives: ['outcome'],
  async run(ctx) {
    const n = await composeAction(ctx, ctx.input.target, 'stop');
    ctx.deps.installs.setDesired(ctx.work.identifier, 'stopped');
    return { summary: `stopped ${n} container(s)`, made: { outcome: { appState: 'stopped' } } };
  },
});

export const restartStep = defineStep({
  name: 'restart',
  title: 'Restarting the containers',
  needs: [],
  gives: [],
  async run(ctx) {
    const n = await composeAction(ctx, ctx.input.target, 'restart');
    ctx.deps.installs.setDesired(ctx.work.identifier, 'running');
    return `restarted ${n} container(s)`;
  },
});
