/**
 * Step restore-offsite (an install on a replacement HDA): puts the app folder back from the latest
 * off-HDA snapshot the old HDA took of it, before the app is prepared and started. Staged beside the
 * folder and swapped in by rename; a marker per install makes a task run again after a crash skip what
 * is done, and a restore cut short leaves only the staging folder, removed on the next run.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadOffsite, namedFailure, offsiteRepo } from '../backup/offsite';
import { restore, snapshots } from '../backup/restic';
import { writeJsonAtomic } from '../fs-atomic';
import { defineStep } from './steps';
import { StepFailure } from './types';

const markerFor = (stateDir: string, identifier: string) => join(stateDir, 'backup', 'restored', `${identifier}.json`);

export const restoreOffsiteStep = defineStep<'install'>({
  name: 'restore-offsite',
  title: 'Restoring the app data from the off-HDA backup',
  needs: [],
  gives: [],
  async run({ task, work, deps, report, signal }) {
    const from = task.payload.restore_offsite;
    if (!from) return 'nothing to restore';
    const stateDir = deps.config.stateDir;
    const marker = markerFor(stateDir, work.identifier);
    if (existsSync(marker) && JSON.parse(readFileSync(marker, 'utf8')).host === from.host) return 'already restored';
    const stored = loadOffsite(stateDir);
    if (!stored) throw new StepFailure('no off-HDA backup is set up on this HDA: set it up with the recovery key first');
    const repo = offsiteRepo(stateDir, stored);
    const staging = `${work.appDir}.offsite-staging`;
    rmSync(staging, { recursive: true, force: true });
    try {
      const list = await snapshots(repo, { tags: [`app=${work.identifier}`], host: from.host }, { signal });
      const latest = list[list.length - 1];
      if (!latest) {
        report.ok(`no backup of ${work.identifier} in ${stored.repository_label}: it starts with empty data`);
        return 'no backup to restore';
      }
      await restore(repo, latest.id, staging, { signal });
      const restored = join(staging, latest.paths[0]);
      if (!existsSync(restored)) throw new StepFailure(`snapshot ${latest.shortId} holds no folder for ${work.identifier}`);
      const aside = `${work.appDir}.offsite-aside`;
      rmSync(aside, { recursive: true, force: true });
      if (existsSync(work.appDir)) renameSync(work.appDir, aside);
      mkdirSync(join(work.appDir, '..'), { recursive: true });
      renameSync(restored, work.appDir);
      rmSync(aside, { recursive: true, force: true });
      writeJsonAtomic(marker, { host: from.host, snapshot: latest.id, task: task.id }, 0o600);
      report.ok(`restored ${work.identifier} from snapshot ${latest.shortId} (${latest.time}) in ${stored.repository_label}`);
      return `data as of ${latest.time}`;
    } catch (e) {
      if (e instanceof StepFailure) throw e;
      throw new StepFailure((namedFailure(e, stored) as Error).message);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  },
});
