/**
 * Step restore-offsite (an install on a replacement HDA): puts the app folder and the named volumes
 * back from the latest off-HDA snapshot the old HDA took of it, before the app is prepared and
 * started. Every part is staged and swapped in (offsite-restore.ts); a marker per install, written
 * once all of it is in place, makes a task run again after a crash skip what is done, and a run cut
 * short before it restores everything again from the same snapshot.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appTag } from '../backup/offsite-app';
import { loadOffsite, namedFailure, offsiteRepo } from '../backup/offsite';
import type { TaskProgress } from '../../core/protocol';
import { describeProgress } from '../backup/progress';
import { restoreOffsiteApp } from '../backup/offsite-restore';
import { snapshots } from '../backup/restic';
import { writeJsonAtomic } from '../fs-atomic';
import { defineStep } from './steps';
import { StepFailure } from './types';

const markerFor = (stateDir: string, identifier: string) => join(stateDir, 'backup', 'restored', `${identifier}.json`);

export const restoreOffsiteStep = defineStep<'install'>({
  name: 'restore-offsite',
  title: 'Restoring the app data from the off-HDA backup',
  needs: [],
  gives: [],
  async run({ task, work, input, deps, report, signal }) {
    const from = task.payload.restore_offsite;
    if (!from) return 'nothing to restore';
    const stateDir = deps.config.stateDir;
    const marker = markerFor(stateDir, work.identifier);
    if (existsSync(marker) && JSON.parse(readFileSync(marker, 'utf8')).host === from.host) return 'already restored';
    const stored = loadOffsite(stateDir);
    if (!stored) throw new StepFailure('no off-HDA backup is set up on this HDA: set it up with the recovery key first');
    const repo = offsiteRepo(stateDir, stored);
    try {
      const list = await snapshots(repo, { tags: [appTag(work.identifier)], host: from.host }, { signal });
      const latest = list[list.length - 1];
      if (!latest) {
        report.ok(`no backup of ${work.identifier} in ${stored.repository_label}: it starts with empty data`);
        return 'no backup to restore';
      }
      const into = { identifier: work.identifier, appDir: work.appDir, project: input.target.project };
      const bar = (p: TaskProgress) => report.progress(`restore ${describeProgress(p)}`, {}, p);
      const volumes = await restoreOffsiteApp(repo, () => deps.docker.docker(), latest, into, signal, bar);
      writeJsonAtomic(marker, { host: from.host, snapshot: latest.id, task: task.id }, 0o600);
      const also = volumes.length ? ` and volume(s) ${volumes.join(', ')}` : '';
      report.ok(`restored ${work.identifier}${also} from snapshot ${latest.shortId} (${latest.time}) in ${stored.repository_label}`, {
        snapshot_id: latest.id,
        volumes,
      });
      return `data as of ${latest.time}`;
    } catch (e) {
      if (e instanceof StepFailure || signal.aborted) throw e;
      throw new StepFailure((namedFailure(e, stored) as Error).message);
    }
  },
});
