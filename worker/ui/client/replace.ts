/**
 * Replacing a dead HDA. From "Add HDA": once the new HDA enrolled and sent its backup key, the owner
 * pastes the dead HDA's recovery key; the browser seals it to the new HDA's key (the old HDA's label
 * and schedule kept), waits for the agent to open the repository, and asks for the replacement. On the
 * HDA page the same call follows a backup already set up. Either way each moved app's install is
 * followed live, its data restore with a progress bar.
 */
import { decodeRecoveryKey, type BackupSecretsShape } from '../../../core/backup/recovery';
import { seal, type PublicJwk } from '../../../core/backup/seal';
import type { BackupPlanBody, TaskView as TaskJson } from '../types';
import { call, client, userError } from './api';
import { h, must } from './dom';
import { forms } from './events';
import { inlineTaskPanel, TaskView } from './task-view';

const WAIT_MS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const attr = (el: Element, name: string) => el.getAttribute(name) ?? '';

type Moved = { id: string; identifier: string; task: { id: string } };

/** One followed install task per moved app, in `holder`. */
export function showReplacement(holder: HTMLElement, installs: Moved[]): void {
  holder.textContent = '';
  const list = h('div', { class: 'stack replacement-apps', 'data-replacement': '1' });
  holder.appendChild(h('p', { class: 'small', text: installs.length ? `Moving ${installs.length} app(s) here:` : 'The old HDA had no apps to move.' }));
  holder.appendChild(list);
  for (const i of installs) {
    const panel = inlineTaskPanel(i.task.id, i.identifier, 'Waiting for the agent to pick this up…', { 'data-app': i.identifier });
    list.appendChild(panel);
    new TaskView(panel).follow();
  }
}

export function fromRecoveryKey(key: string): BackupSecretsShape {
  try {
    return decodeRecoveryKey(key) as BackupSecretsShape;
  } catch (e) {
    throw userError(`recovery key: ${(e as Error).message}`);
  }
}

/** Resolves with the task's final state, following it in a panel inside `holder`. */
function followTask(holder: HTMLElement, taskId: string, title: string): Promise<TaskJson> {
  const panel = inlineTaskPanel(taskId, title, 'Waiting for the agent to pick this up…');
  holder.appendChild(panel);
  const view = new TaskView(panel);
  const ended = new Promise<TaskJson>((resolve) => {
    view.onDone = resolve;
  });
  view.follow();
  return ended;
}

/** Polls until the new HDA enrolled and its agent sent the key backups are sealed to. */
async function waitForKey(newId: string, status: HTMLElement): Promise<PublicJwk> {
  for (;;) {
    const b = await call(client.GET('/api/hdas/{id}/backup', { params: { path: { id: newId } } })).catch(() => null);
    if (b?.key) return b.key as PublicJwk;
    status.textContent = 'Waiting for the new HDA to enroll and send its backup key…';
    await sleep(WAIT_MS);
  }
}

/** The dashboard's flow after "Add HDA as a replacement for …": wait, then ask for the recovery key. */
export async function startReplacementFlow(box: HTMLElement, newId: string, oldId: string): Promise<void> {
  box.hidden = false;
  const status = must('[data-replacement-status]', box);
  const key = await waitForKey(newId, status);
  status.textContent = 'The new HDA is enrolled. Paste the recovery key of the HDA it replaces:';
  const form = must<HTMLFormElement>('form[data-form=replace-with-key]', box);
  form.setAttribute('data-hda', newId);
  form.setAttribute('data-old', oldId);
  form.setAttribute('data-key', JSON.stringify(key));
  form.hidden = false;
}

forms['replace-with-key'] = async (form, v) => {
  const newId = attr(form, 'data-hda');
  const oldId = attr(form, 'data-old');
  const secrets = fromRecoveryKey(String(v.recovery_key ?? '').trim());
  const old = await call(client.GET('/api/hdas/{id}/backup', { params: { path: { id: oldId } } }));
  if (!old.plan) throw userError('the HDA it replaces has no off-HDA backup');
  const body: BackupPlanBody = {
    repository_label: old.plan.repository_label,
    every_hours: old.plan.every_hours,
    retention: old.plan.retention,
    sealed: await seal(JSON.parse(attr(form, 'data-key')) as PublicJwk, JSON.stringify(secrets)),
  };
  const set = await call(client.PUT('/api/hdas/{id}/backup', { params: { path: { id: newId } }, body }));
  const holder = must('[data-replacement-progress]', form.parentElement ?? document);
  const connected = await followTask(holder, set.task.id, `Opening ${old.plan.repository_label}`);
  if (connected.state !== 'succeeded') throw userError('the new HDA could not open the backup repository with that recovery key (see below)');
  form.reset();
  form.hidden = true;
  await replace(newId, oldId, holder);
};

async function replace(newId: string, oldId: string, holder: HTMLElement): Promise<void> {
  const r = await call(client.POST('/api/hdas/{id}/replace', { params: { path: { id: newId } }, body: { old_hda: oldId } }));
  showReplacement(holder, r.installs);
}

forms['replace-hda'] = async (form, v) => {
  const holder = must('[data-replacement-progress]', form.parentElement ?? document);
  await replace(attr(form, 'data-hda'), String(v.old_hda), holder);
  form.hidden = true;
};
