/**
 * Steps of the HDA-wide backup tasks. `backup-config` opens the owner's sealed secrets with this HDA's
 * key, keeps them (0600) and connects to the repository, so a wrong password or an unreachable address
 * fails the task naming the repository. `backup-run` runs the off-HDA backup now.
 */
import { BackupSecrets } from '../../core/backup/plan';
import { open } from '../../core/backup/seal';
import { loadOrCreateHdaKey } from '../backup/hda-key';
import { describeProgress, fromRestic, throttledPerItem } from '../backup/progress';
import { connectOffsite, loadOffsite, runOffsiteBackup, saveOffsite } from '../backup/offsite';
import { offsiteApps } from '../backup/offsite-app';
import { formatBytes } from './images';
import { defineStep } from './steps';
import { StepFailure } from './types';

export const backupConfigStep = defineStep<'backup-config'>({
  name: 'backup-config',
  title: 'Setting up the off-HDA backup',
  needs: [],
  gives: [],
  async run({ task, deps, report }) {
    const plan = task.payload.backup;
    if (!plan) throw new StepFailure('the task carries no backup plan');
    const key = await loadOrCreateHdaKey(deps.config.stateDir);
    let secrets: BackupSecrets;
    try {
      secrets = BackupSecrets.parse(JSON.parse(await open(key.privateKey, plan.sealed)));
    } catch (e) {
      throw new StepFailure(`cannot read the backup settings: ${(e as Error).message}; set them up again from the HDA's page`);
    }
    const { repository_label, every_hours, retention } = plan;
    const candidate = { repository_label, every_hours, retention, secrets };
    let how: string;
    try {
      how = await connectOffsite(deps.config.stateDir, candidate);
    } catch (e) {
      throw new StepFailure((e as Error).message);
    }
    // Kept only once the repository opened: a typo never replaces settings that work.
    saveOffsite(deps.config.stateDir, { repository_label, every_hours, retention, apps: task.payload.apps ?? {} }, secrets);
    report.ok(`${how === 'created' ? 'created' : 'opened'} the restic repository ${repository_label}`);
    return `backups every ${every_hours} h to ${repository_label}`;
  },
});

export const backupRunStep = defineStep<'backup-run', never, 'outcome'>({
  name: 'backup-run',
  title: 'Backing up the apps off the HDA',
  needs: [],
  gives: ['outcome'],
  async run({ task, deps, report }) {
    if (!loadOffsite(deps.config.stateDir)) throw new StepFailure('no off-HDA backup is set up on this HDA');
    const apps = offsiteApps(deps.installs, deps.config.appsRoot, deps.config.namespace ?? '');
    try {
      const bars = throttledPerItem((p) => report.progress(`backing up ${describeProgress(p)}`, {}, p));
      const target = { hdaId: task.hda_id, apps, docker: await deps.docker.docker() };
      const h = await runOffsiteBackup(deps.config.stateDir, target, { onProgress: (app, s) => bars.push(fromRestic(s, app)) });
      // restic's last status may come before its end: each app's bar ends full, at the size it backed up.
      for (const a of h.apps ?? []) bars.push({ item: a.identifier, bytes_done: a.bytes, bytes_total: a.bytes, fraction: 1 });
      bars.flush();
      for (const a of h.apps ?? [])
        report.ok(`${a.identifier}: snapshot ${a.snapshot_id.slice(0, 8)}, ${formatBytes(a.added_bytes)} added; the app was down ${a.downtime_ms ?? 0} ms`);
      const detail = `backed up ${h.apps?.length ?? 0} app(s) to ${h.repository}; repository ${formatBytes(h.repository_size ?? 0)}`;
      deps.onAppChanged?.();
      return { summary: detail, made: { outcome: { detail } } };
    } catch (e) {
      throw new StepFailure((e as Error).message);
    }
  },
});
