/**
 * Step restore: the install's data put back as a snapshot holds it (a restore the owner asked for, a
 * rollback "with its data as of then", or the way back from a failed update). The app's containers
 * are stopped and stay stopped: the steps after it start the app on the restored data. All of it is
 * staged before anything is swapped, so a restore that fails leaves the data as it was and the app is
 * started again.
 */
import { restoreSnapshot } from '../backup/app-data';
import { describeDockerError } from '../docker/client';
import { quiesce, resume } from '../backup/quiesce';
import { appDataRef } from './snapshot';
import { defineStep } from './steps';
import { StepFailure } from './types';

export const restoreDataStep = defineStep({
  name: 'restore',
  title: "Putting the app's data back from a snapshot",
  needs: [],
  gives: ['restored'],
  uses: ['snapshot'],
  when: (w) => w.restoreSnapshot !== undefined,
  async run(ctx) {
    const { work, report, input } = ctx;
    const id = work.restoreSnapshot as string;
    const { project } = input.target;
    const docker = await ctx.deps.docker.docker();
    const stoppedNow = await quiesce(docker, project);
    // What the snapshot before it stopped counts too: all of it starts again if the restore fails.
    const q = { ...stoppedNow, stopped: [...(input.snapshot?.held?.stopped ?? []), ...stoppedNow.stopped] };
    try {
      const r = await restoreSnapshot(appDataRef(ctx, project, docker), id, { signal: ctx.signal, quiesced: true });
      if (r.untouched.length) report.warn(`left as they are (not in the snapshot): ${r.untouched.join(', ')}`);
      report.ok(`data of ${r.snapshot.time} is back (${r.snapshot.paths.length} path(s))`, { snapshot_id: r.snapshot.id });
      return { summary: `restored snapshot ${r.snapshot.shortId}`, made: { restored: { id: r.snapshot.id } } };
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      await resume(docker, q).catch(() => undefined);
      ctx.deps.docker.reset(e);
      const why = describeDockerError(e, ctx.deps.config.dockerSocket);
      throw new StepFailure(`restoring snapshot ${id.slice(0, 8)} failed and the data was left as it was: ${why}`, outputOf(e));
    }
  },
});

function outputOf(e: unknown): Record<string, unknown> | undefined {
  const detail = (e as { detail?: string }).detail;
  return detail ? { output: detail } : undefined;
}
