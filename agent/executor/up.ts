/** Step up: `<compose> -p <identifier> up -d` in the app folder; converges, never duplicates. */
import { existsSync } from 'node:fs';
import { ComposeError } from '../docker/compose';
import { assertOwnProject, explainComposeError } from './guard';
import { defineStep } from './steps';
import { StepFailure } from './types';

export const upStep = defineStep({
  name: 'up',
  title: 'Starting the containers',
  needs: [],
  gives: [],
  async run(ctx) {
    const { deps, report } = ctx;
    const { project, composeFile, hostPort } = ctx.input.target;
    if (!existsSync(composeFile)) throw new StepFailure(`${composeFile} is missing; install the app again`);
    const before = await assertOwnProject(ctx, project);
    const info = await deps.compose.detect().catch((e: Error) => {
      throw new StepFailure(e.message);
    });
    try {
      const r = await deps.compose.up({ project, file: composeFile }, { signal: ctx.signal });
      const lines = `${r.stderr}\n${r.stdout}`
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /done|up-to-date|Started|Running|Created|Recreated/i.test(l));
      if (lines.length) report.ok(lines.slice(-5).join(' | '));
    } catch (e) {
      if (e instanceof ComposeError) throw new StepFailure(explainComposeError(e.message, hostPort), { compose: info.flavor });
      throw e;
    }
    deps.onAppChanged?.();
    return `${before ? 'converged' : 'started'} project ${project} with Compose ${info.flavor} ${info.version}`;
  },
});
