/** The HDA page's backup form: seals the repository's secrets to the HDA's key here, sends only the box, shows the recovery key once. */
import { BACKEND_ENV, MIN_PASSWORD, recoveryKeyOf, REPOSITORY_PATTERN, type BackupSecretsShape } from '../../../core/backup/recovery';
import { seal, type PublicJwk } from '../../../core/backup/seal';
import type { BackupPlanBody } from '../types';
import { call, client, navigate, userError } from './api';
import { fill, must } from './dom';
import { clicks, forms } from './events';
import { fromRecoveryKey } from './replace';
import { inlineTaskPanel, TaskView } from './task-view';

function newPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function parseEnv(text: string): BackupSecretsShape['env'] {
  const env: Record<string, string> = {};
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const eq = line.indexOf('=');
    const name = line.slice(0, eq);
    if (eq < 1 || !(BACKEND_ENV as readonly string[]).includes(name)) throw userError(`credentials: use NAME=value with one of ${BACKEND_ENV.join(', ')}`);
    env[name] = line.slice(eq + 1);
  }
  return env;
}

forms['backup-plan'] = async (form, v) => {
  const [daily, weekly, monthly] = String(v.retention).split('/').map(Number);
  const recovery = String(v.recovery_key ?? '').trim();
  const secrets: BackupSecretsShape = recovery
    ? fromRecoveryKey(recovery)
    : { repository: String(v.repository).trim(), password: v.password || newPassword(), env: parseEnv(String(v.env ?? '')) };
  if (!REPOSITORY_PATTERN.test(secrets.repository))
    throw userError('the repository must be a restic address: rest:https://…, sftp:…, s3:…, b2:…, azure:…, gs:… or rclone:…');
  if (secrets.password.length < MIN_PASSWORD) throw userError(`the repository password must be at least ${MIN_PASSWORD} characters`);
  const key = JSON.parse(form.getAttribute('data-key') ?? 'null') as PublicJwk;
  const body: BackupPlanBody = {
    repository_label: String(v.repository_label).trim(),
    every_hours: Number(v.every_hours),
    retention: { daily, weekly, monthly },
    sealed: await seal(key, JSON.stringify(secrets)),
  };
  await call(client.PUT('/api/hdas/{id}/backup', { params: { path: { id: form.getAttribute('data-hda') ?? '' } }, body }));
  form.reset();
  // A pasted recovery key is already the owner's; a new repository's key is shown once, now.
  if (recovery) return navigate(location.pathname);
  const box = must('#recovery-key');
  fill(box, 'recovery-key', recoveryKeyOf(secrets));
  box.hidden = false;
};

clicks['backup-run'] = async (btn) => {
  const r = await call(client.POST('/api/hdas/{id}/backup/run', { params: { path: { id: btn.getAttribute('data-hda') ?? '' } } }));
  btn.textContent = 'Backup queued';
  btn.setAttribute('data-off', '1');
  // Followed here: each app's bar moves while restic uploads it.
  const panel = inlineTaskPanel(r.task.id, 'Backup run', 'Waiting for the agent to pick this up…', { 'data-kind': 'backup-run' });
  btn.closest('.card')?.appendChild(panel);
  new TaskView(panel).follow();
};
