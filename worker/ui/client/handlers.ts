/** What each form and button of the HDA, install and account pages does, always through the JSON API. */
import { call, client, navigate, userError } from './api';
import { $, fill, fillHref, must, selectText, type Scope } from './dom';
import { showError } from './errors';
import { clicks, forms } from './events';
import { upsertHdaCard } from './live';
import type { Enrollment, InstallActionBody, NewHdaBody, NewInstallBody, NewUserBody, RestoreSnapshotBody, UpdateControlBody } from '../types';

import { startReplacementFlow } from './replace';
import { inlineTaskPanel, TaskView } from './task-view';

/** Where to go after signing in: a path of this origin, read as the browser will read it, else home. */
export function safeNext(next: string | null, origin = location.origin): string {
  if (!next) return '/';
  const url = new URL(next, origin);
  return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : '/';
}
const installTaskUrl = (installId: string, taskId: string) => `/installs/${encodeURIComponent(installId)}?task=${encodeURIComponent(taskId)}`;
const localTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'soon');
const attr = (el: Element, name: string) => el.getAttribute(name) ?? '';

function showEnrollment(result: { enrollment: Enrollment }, name: string, hdaId: string | null): void {
  const box = $('#enrollment-result');
  if (!box) return;
  fill(box, 'command', result.enrollment.command);
  fill(box, 'warning', result.enrollment.warning ?? '');
  fill(box, 'expires', localTime(result.enrollment.expires_at));
  fill(box, 'name', name);
  if (hdaId) fillHref(box, 'hda-link', `/hdas/${encodeURIComponent(hdaId)}`);
  box.hidden = false;
}

forms.login = async (form, v) => {
  await call(client.POST('/api/auth/login', { body: { email: v.email, password: v.password } }), { signIn: true });
  navigate(safeNext(form.getAttribute('data-next')));
};

/** "office, eu" -> ['office', 'eu'] (the API checks each is a slug). */
const parseTags = (text: string) =>
  (text || '')
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean);

forms['create-hda'] = async (form, v) => {
  const tags = parseTags(v.tags);
  const replaces = String(v.replaces ?? '');
  const body: NewHdaBody = { name: v.name, domain: String(v.domain).trim(), ...(tags.length ? { tags } : {}) };
  const r = await call(client.POST('/api/hdas', { body }));
  showEnrollment(r, r.hda.name, r.hda.id);
  upsertHdaCard(r.hda);
  form.reset();
  const domain = $<HTMLInputElement>('input[name=domain]', form);
  if (domain) domain.readOnly = false;
  if (replaces) void startReplacementFlow(must('#replacement-flow'), r.hda.id, replaces);
};

/** A replacement serves the same domain as the HDA it replaces: chosen, the domain follows. */
function wireReplacesField(): void {
  const select = $<HTMLSelectElement>('select[data-replaces]');
  const domain = $<HTMLInputElement>('form[data-form=create-hda] input[name=domain]');
  if (!select || !domain) return;
  select.addEventListener('change', () => {
    const picked = select.selectedOptions[0]?.getAttribute('data-domain');
    domain.readOnly = !!picked;
    if (picked) domain.value = picked;
  });
}

forms['create-user'] = async (_form, v) => {
  const body: NewUserBody = { email: v.email, password: v.password, role: v.role };
  await call(client.POST('/api/users', { body }));
  navigate(location.pathname);
};

async function install(hdaId: string, body: NewInstallBody): Promise<void> {
  const r = await call(client.POST('/api/hdas/{id}/installs', { params: { path: { id: hdaId } }, body }));
  navigate(`/tasks/${encodeURIComponent(r.task.id)}`);
}

forms.install = (_form, v, submitter) => {
  const port = String(v.host_port || '').trim();
  const body: NewInstallBody = {
    app: v.app,
    ...(v.version ? { version: v.version } : {}),
    ...(v.policy_exceptions?.length ? { policy_exceptions: v.policy_exceptions } : {}),
    ...(port ? { host_port: hostPort(port) } : {}),
  };
  return install(submitter?.value || v.hda, body);
};
clicks.install = (btn) => install(attr(btn, 'data-hda'), { app: attr(btn, 'data-app') });

async function act(installId: string, body: InstallActionBody): Promise<void> {
  const r = await call(client.POST('/api/installs/{id}/actions', { params: { path: { id: installId } }, body }));
  navigate(installTaskUrl(installId, r.task.id));
}

forms.update = (form, v) => act(attr(form, 'data-install'), { action: 'update', version: v.version });
clicks.action = (btn) => act(attr(btn, 'data-install'), { action: attr(btn, 'data-action') as InstallActionBody['action'] });
clicks['update-to'] = (btn) => act(attr(btn, 'data-install'), { action: 'update', version: attr(btn, 'data-version') });
/** Hold or release the install, or skip one version (an empty data-skip offers it again). */
clicks['update-control'] = async (btn) => {
  const body: UpdateControlBody = btn.hasAttribute('data-hold')
    ? { hold: attr(btn, 'data-hold') === 'true' }
    : { skip_version: attr(btn, 'data-skip') || null };
  await call(client.PUT('/api/installs/{id}/updates', { params: { path: { id: attr(btn, 'data-install') } }, body }));
  navigate(location.pathname);
};
clicks.rollback = (btn) => act(attr(btn, 'data-install'), { action: 'rollback', deployment: attr(btn, 'data-deployment') });

/** Rolling back with the data, and restoring a snapshot, lose what was written since: each asks first. */
clicks['rollback-with-data'] = (btn) =>
  openDialog('#rollback-data-dialog', (d) => {
    for (const a of ['data-install', 'data-deployment']) d.setAttribute(a, attr(btn, a));
    fill(d, 'version', attr(btn, 'data-version'));
    fill(d, 'when', attr(btn, 'data-when'));
  });
clicks['restore-snapshot'] = (btn) =>
  openDialog('#restore-dialog', (d) => {
    for (const a of ['data-install', 'data-snapshot']) d.setAttribute(a, attr(btn, a));
    fill(d, 'when', attr(btn, 'data-when'));
  });
clicks['take-snapshot'] = async (btn) => {
  const installId = attr(btn, 'data-install');
  const r = await call(client.POST('/api/installs/{id}/snapshots', { params: { path: { id: installId } } }));
  navigate(installTaskUrl(installId, r.task.id));
};

async function restoreSnapshot(installId: string, snapshotId: string): Promise<void> {
  const body: RestoreSnapshotBody = { confirm: true };
  const r = await call(client.POST('/api/installs/{id}/snapshots/{snapshot}/restore', { params: { path: { id: installId, snapshot: snapshotId } }, body }));
  navigate(installTaskUrl(installId, r.task.id));
}

/** A queued task is taken back; one the agent already started cannot be (the API says so). */
clicks['cancel-task'] = async (btn) => {
  await call(client.POST('/api/tasks/{id}/cancel', { params: { path: { id: attr(btn, 'data-task') } } }));
  location.reload();
};

/** A dialog that runs `onConfirm` when closed with its confirm button; failures show in `scope`. */
function confirmDialog(dialog: HTMLDialogElement, onConfirm: () => Promise<unknown>, scope: () => Scope): void {
  dialog.addEventListener('close', () => {
    if (dialog.returnValue !== 'confirm') return;
    onConfirm().catch((err) => showError(scope(), err));
  });
}

function openDialog(id: string, setup: (d: HTMLDialogElement) => void): void {
  const dialog = must<HTMLDialogElement>(id);
  setup(dialog);
  dialog.returnValue = '';
  dialog.showModal();
}

/** Uninstall only after the dialog is confirmed; purge is a separate, unchecked box. */
clicks.uninstall = (btn) =>
  openDialog('#uninstall-dialog', (d) => {
    d.setAttribute('data-install', attr(btn, 'data-install'));
    fill(d, 'app-name', btn.getAttribute('data-app-name') || 'this app');
    must<HTMLInputElement>('input[name=purge]', d).checked = false;
  });

/** Logs are a task too: ask for them, then follow that task inline (for follow_s seconds when following). */
clicks.logs = async (btn) => {
  const tail = Number(btn.getAttribute('data-tail')) || 200;
  const follow = Number(btn.getAttribute('data-follow')) || 0;
  const r = await call(
    client.POST('/api/installs/{id}/logs', { params: { path: { id: attr(btn, 'data-install') } }, body: follow ? { tail, follow_s: follow } : { tail } }),
  );
  const holder = must('#logs-view') as HTMLElement & { taskView?: TaskView };
  holder.taskView?.stop();
  holder.textContent = '';
  const panel = inlineTaskPanel(r.task.id, follow ? `Following for ${follow} s` : `Last ${tail} lines`, 'Waiting for the HDA’s agent to send them…', {
    'data-follow-s': follow ? String(follow) : null,
  });
  holder.appendChild(panel);
  holder.taskView = new TaskView(panel);
  holder.taskView.follow();
};

/** A host port typed by the owner, checked like the API checks it. */
function hostPort(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1024 || n > 65535) throw userError('The host port must be a whole number from 1024 to 65535.');
  return n;
}

/** Resource limits: applied to the running containers by a task the page shows; an empty field removes that limit. */
forms.limits = async (form, v) => {
  const cpus = String(v.cpus || '').trim();
  const mem = String(v.memory_mb || '').trim();
  const body: { cpus: number | null; memory_mb: number | null } = { cpus: cpus ? Number(cpus) : null, memory_mb: mem ? Number(mem) : null };
  if (body.cpus !== null && !(body.cpus >= 0.05)) throw userError('CPUs must be a number from 0.05 up (0.5 is half a core).');
  if (body.memory_mb !== null && (!(body.memory_mb >= 6) || Math.round(body.memory_mb) !== body.memory_mb))
    throw userError('Memory must be a whole number of MB, 6 or more.');
  const installId = attr(form, 'data-install');
  const r = await call(client.PUT('/api/installs/{id}/limits', { params: { path: { id: installId } }, body }));
  navigate(installTaskUrl(installId, r.task.id));
};

/** A new host port: a task moves the app to it; the page follows that task. */
forms.port = async (form, v) => {
  const installId = attr(form, 'data-install');
  const body = { host_port: hostPort(String(v.host_port || '').trim()) };
  const r = await call(client.PUT('/api/installs/{id}/port', { params: { path: { id: installId } }, body }));
  navigate(installTaskUrl(installId, r.task.id));
};

clicks.revoke = () => openDialog('#revoke-dialog', () => undefined);
clicks['delete-hda'] = () => openDialog('#delete-hda-dialog', () => undefined);

/** Prune is an HDA-wide task: show what is kept, follow it inline, then the space freed. */
clicks.prune = async (btn) => {
  const r = await call(client.POST('/api/hdas/{id}/prune', { params: { path: { id: attr(btn, 'data-hda') } } }));
  const holder = must('#prune-view');
  holder.textContent = '';
  const keep = r.keep_images || [];
  const note = keep.length ? `Kept for the apps and their rollbacks: ${keep.join(', ')}` : 'No image needs keeping for a rollback.';
  const panel = inlineTaskPanel(r.task.id, 'Unused images', 'Waiting for the HDA’s agent to pick this up…', { 'data-kind': 'prune' }, note);
  holder.appendChild(panel);
  new TaskView(panel).follow();
};

clicks.logout = () =>
  call(client.POST('/api/auth/logout')).then(
    () => navigate('/login'),
    () => navigate('/login'),
  );

clicks['new-enrollment'] = async (btn) => {
  const r = await call(client.POST('/api/hdas/{id}/enrollment', { params: { path: { id: attr(btn, 'data-hda') } } }));
  showEnrollment(r, '', null);
};

clicks.copy = async (btn) => {
  const src = $(attr(btn, 'data-copy-from'));
  const text = src ? (src.textContent ?? '') : '';
  try {
    if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
    await navigator.clipboard.writeText(text);
    btn.textContent = 'Copied';
    setTimeout(() => (btn.textContent = 'Copy'), 1500);
  } catch {
    selectText(src);
  }
};

export function wireDialogs(): void {
  wireReplacesField();
  const uninstall = $<HTMLDialogElement>('#uninstall-dialog');
  if (uninstall) {
    confirmDialog(
      uninstall,
      () => act(attr(uninstall, 'data-install'), { action: 'uninstall', purge: must<HTMLInputElement>('input[name=purge]', uninstall).checked }),
      () => document,
    );
  }
  const restore = $<HTMLDialogElement>('#restore-dialog');
  if (restore)
    confirmDialog(
      restore,
      () => restoreSnapshot(attr(restore, 'data-install'), attr(restore, 'data-snapshot')),
      () => $('.snapshots') || document,
    );
  const withData = $<HTMLDialogElement>('#rollback-data-dialog');
  if (withData) {
    const body = (): InstallActionBody => ({ action: 'rollback', deployment: attr(withData, 'data-deployment'), with_data: true, confirm: true });
    confirmDialog(
      withData,
      () => act(attr(withData, 'data-install'), body()),
      () => document,
    );
  }
  const revoke = $<HTMLDialogElement>('#revoke-dialog');
  if (revoke) {
    confirmDialog(
      revoke,
      () => call(client.POST('/api/hdas/{id}/revoke', { params: { path: { id: attr(revoke, 'data-hda') } } })).then(() => navigate(location.pathname)),
      () => $('.manage') || document,
    );
  }
  const remove = $<HTMLDialogElement>('#delete-hda-dialog');
  if (remove) {
    confirmDialog(
      remove,
      () => call(client.DELETE('/api/hdas/{id}', { params: { path: { id: attr(remove, 'data-hda') } } })).then(() => navigate('/')),
      () => $('.manage') || document,
    );
  }
}
