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
import { defineStep } from './steps';

export const retireStep = defineStep({
  name: 'retire',
  title: 'Stopping the previous version (zero-downtime switch)',
  needs: [],
  gives: ['target'],
  when: (work) => !!work.made.target.switchFrom,
  async run({ work, deps, report, signal, input }) {
    const { target } = input;
    const from = target.switchFrom!;
    const drainS = deps.config.switchDrainS ?? 3;
    if (drainS > 0) await sleep(drainS * 1000, signal);
    let stopped = `stopped ${from.project}`;
    try {
      const file = existsSync(from.composeFile) ? from.composeFile : target.composeFile;
      await deps.compose.down({ project: from.project, file }, { signal });
    } catch (e) {
      report.warn(`could not remove ${from.project}: ${(e as Error).message}`);
      stopped = `${from.project} could not be removed`;
    }
    const live = join(dirname(target.composeFile), COMPOSE_FILE);
    let composeFile = target.composeFile;
    if (composeFile !== live) {
      try {
        renameSync(composeFile, live);
        composeFile = live;
      } catch (e) {
        report.warn(`could not rename ${composeFile} to ${live}: ${(e as Error).message}`);
      }
    }
    const { slot, hostPort, project } = target;
    deps.installs.patch(work.identifier, { slot, live_port: slot === 'b' ? hostPort : undefined, version: work.version?.version ?? '' });
    deps.onAppChanged?.();
    return { summary: `${stopped}; ${project} on host port ${hostPort} serves the app`, made: { target: { ...target, composeFile } } };
  },
});
