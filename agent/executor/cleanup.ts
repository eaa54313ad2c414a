/**
 * Step cleanup: forget the install and its compose files (the containers are gone); delete the app
 * folder, its secrets and its Apache logs only when the owner asked to purge: the kept data folder
 * may need the same secrets if the app is installed again.
 */
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { appLogDir } from '../apache/vhost';
import { secretStore } from './secrets';
import { defineStep } from './steps';

export const cleanupStep = defineStep({
  name: 'cleanup',
  title: 'Cleaning up',
  needs: [],
  gives: ['outcome'],
  async run({ work, deps, report, input }) {
    deps.installs.remove(work.identifier);
    rmSync(dirname(input.target.composeFile), { recursive: true, force: true });
    const made = { outcome: { appState: 'removed' as const } };
    if (work.purge) {
      secretStore(deps).remove(work.identifier);
      rmSync(appLogDir(deps.config.apacheLogDir, work.identifier, deps.config.namespace ?? ''), { recursive: true, force: true });
    }
    if (!existsSync(work.appDir)) return { summary: 'no app folder left', made };
    if (work.purge) {
      rmSync(work.appDir, { recursive: true, force: true });
      return { summary: `deleted ${work.appDir}`, made };
    }
    report.ok(`kept ${work.appDir} with the app's data and its secrets (uninstall with purge to delete them)`);
    return { summary: `kept ${work.appDir}`, made };
  },
});
