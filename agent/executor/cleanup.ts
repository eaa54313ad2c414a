/** Step cleanup: forget the install; delete the app folder only when the owner asked to purge it. */
import { existsSync, rmSync } from 'node:fs';
import { type Step } from './types';

export const cleanupStep: Step = {
  name: 'cleanup',
  title: 'Cleaning up',
  async run({ work, deps, report }) {
    deps.installs.remove(work.identifier);
    work.appState = 'removed';
    if (!existsSync(work.appDir)) return 'no app folder left';
    if (work.purge) {
      rmSync(work.appDir, { recursive: true, force: true });
      return `deleted ${work.appDir}`;
    }
    report.ok(`kept ${work.appDir} with the app's data (uninstall with purge to delete it)`);
    return `kept ${work.appDir}`;
  },
};
