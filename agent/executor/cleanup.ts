/**
 * Step cleanup: forget the install and its compose files (the containers are gone); delete the app
 * folder, its secrets and its Apache logs only when the owner asked to purge: the kept data folder
 * may need the same secrets if the app is installed again.
 */
import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { appLogDir } from '../apache/vhost';
import { secretStore } from './secrets';
import type { Step } from './types';

export const cleanupStep: Step = {
  name: 'cleanup',
  title: 'Cleaning up',
  async run({ work, deps, report }) {
    deps.installs.remove(work.identifier);
    rmSync(dirname(work.composeFile), { recursive: true, force: true });
    work.appState = 'removed';
    if (work.purge) {
      secretStore(deps).remove(work.identifier);
      rmSync(appLogDir(deps.config.apacheLogDir, work.identifier, deps.config.namespace ?? ''), { recursive: true, force: true });
    }
    if (!existsSync(work.appDir)) return 'no app folder left';
    if (work.purge) {
      rmSync(work.appDir, { recursive: true, force: true });
      return `deleted ${work.appDir}`;
    }
    report.ok(`kept ${work.appDir} with the app's data and its secrets (uninstall with purge to delete them)`);
    return `kept ${work.appDir}`;
  },
};
