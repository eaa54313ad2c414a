/**
 * Step retire (blue/green only): Apache already serves the new slot. Requests the old generation of
 * Apache workers still proxies to the old slot are given the drain time to finish, then the old
 * slot's project goes, the new slot's compose file becomes docker-compose.yml and the install record
 * says which slot and port are live. Every part converges when run again; a failing `down` only
 * warns (the app is served by the new slot; the next switch reuses the old project name anyway).
 */
import { existsSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sleep } from '../backoff';
import { COMPOSE_FILE } from './paths';
import type { Step } from './types';

export const retireStep: Step = {
  name: 'retire',
  title: 'Stopping the previous version (zero-downtime switch)',
  when: (work) => !!work.switchFrom,
  async run({ work, deps, report, signal }) {
    const from = work.switchFrom!;
    const drainS = deps.config.switchDrainS ?? 3;
    if (drainS > 0) await sleep(drainS * 1000, signal);
    let stopped = `stopped ${from.project}`;
    try {
      const file = existsSync(from.composeFile) ? from.composeFile : work.composeFile;
      await deps.compose.down({ project: from.project, file }, { signal });
    } catch (e) {
      report.warn(`could not remove ${from.project}: ${(e as Error).message}`);
      stopped = `${from.project} could not be removed`;
    }
    const live = join(dirname(work.composeFile), COMPOSE_FILE);
    if (work.composeFile !== live) {
      try {
        renameSync(work.composeFile, live);
        work.composeFile = live;
      } catch (e) {
        report.warn(`could not rename ${work.composeFile} to ${live}: ${(e as Error).message}`);
      }
    }
    deps.installs.patch(work.identifier, { slot: work.slot, live_port: work.slot === 'b' ? work.hostPort : undefined, version: work.version?.version ?? '' });
    deps.onAppChanged?.();
    return `${stopped}; ${work.project} on host port ${work.hostPort} serves the app`;
  },
};
