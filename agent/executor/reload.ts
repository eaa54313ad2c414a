/**
 * Step reload: Apache's config test, then a graceful reload. When the test fails the new vhost is
 * undone (previous file restored, or the new one removed) before anything is reloaded, so Apache
 * keeps serving every other app with the configuration it already runs.
 */
import { tailLines } from '../exec';
import { defineStep } from './steps';
import { StepFailure } from './types';

export const reloadStep = defineStep({
  name: 'reload',
  title: 'Testing the Apache configuration and reloading gracefully',
  needs: [],
  gives: [],
  async run({ work, deps, report }) {
    const apache = deps.apache;
    let test: { ok: boolean; output: string };
    try {
      test = await apache.configtest();
    } catch (e) {
      apache.rollback(work.identifier);
      throw new StepFailure((e as Error).message);
    }
    if (!test.ok) {
      const undone = apache.rollback(work.identifier);
      const again = await apache.configtest().catch(() => ({ ok: false, output: '' }));
      const why = tailLines(test.output, 3);
      if (!again.ok) {
        throw new StepFailure(`Apache's config test fails even without this app's vhost (another file is broken); nothing reloaded: ${why}`);
      }
      const what = undone === 'restored' ? 'the previous vhost was restored' : undone === 'removed' ? 'the new vhost was removed' : 'nothing to undo';
      throw new StepFailure(`the vhost failed Apache's config test; ${what} and Apache was not reloaded, so other apps keep serving: ${why}`, {
        configtest: test.output.slice(0, 2000),
      });
    }
    if (test.output && !/Syntax OK/i.test(test.output)) report.warn(tailLines(test.output, 2));
    try {
      await apache.reload();
    } catch (e) {
      throw new StepFailure((e as Error).message);
    }
    apache.commit(work.identifier);
    return 'config test passed; graceful reload done';
  },
});

/** After removing a vhost: reload so Apache stops proxying; a config broken by others only warns. */
export const reloadAfterRemoveStep = defineStep({
  name: 'reload',
  title: 'Reloading Apache without the app',
  needs: [],
  gives: [],
  async run({ deps, report }) {
    const test = await deps.apache.configtest().catch((e: Error) => ({ ok: false, output: e.message }));
    if (!test.ok) {
      report.warn(`Apache's config test fails because of another file; not reloaded: ${tailLines(test.output, 2)}`);
      return 'not reloaded (config test fails for another reason)';
    }
    try {
      await deps.apache.reload();
    } catch (e) {
      report.warn((e as Error).message);
      return 'reload failed';
    }
    return 'graceful reload done';
  },
});
