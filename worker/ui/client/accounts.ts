/** Account management: an admin edits, disables, deletes and resets users; everyone changes their own password. */
import type { NewPasswordBody, PasswordChangeBody, UserPatchBody } from '../types';
import { call, client, navigate } from './api';
import { fill, must } from './dom';
import { showError } from './errors';
import { clicks, forms } from './events';

const userPath = (el: Element) => ({ path: { id: el.getAttribute('data-user') ?? '' } });

forms['edit-user'] = async (form, v) => {
  const body: UserPatchBody = { role: v.role, disabled: !!v.disabled };
  await call(client.PATCH('/api/users/{id}', { params: userPath(form), body }));
  navigate(location.pathname);
};

forms['reset-password'] = async (form, v) => {
  const body: NewPasswordBody = { password: v.password };
  await call(client.PUT('/api/users/{id}/password', { params: userPath(form), body }));
  form.reset();
  fill(form, 'done', 'Password set. Tell them the new one in person or over a channel you trust.');
};

forms['change-password'] = async (form, v) => {
  const body: PasswordChangeBody = { current_password: v.current_password, new_password: v.new_password };
  await call(client.PUT('/api/account/password', { body }));
  form.reset();
  fill(form, 'done', 'Your password is changed. Use the new one next time you sign in.');
};

clicks['delete-user'] = (btn) => {
  const dialog = must<HTMLDialogElement>('#delete-user-dialog');
  dialog.setAttribute('data-user', btn.getAttribute('data-user') ?? '');
  fill(dialog, 'email', btn.getAttribute('data-email') ?? '');
  dialog.returnValue = '';
  dialog.showModal();
};

export function wireUserDialog(): void {
  const dialog = document.querySelector<HTMLDialogElement>('#delete-user-dialog');
  if (!dialog) return;
  dialog.addEventListener('close', () => {
    if (dialog.returnValue !== 'confirm') return;
    call(client.DELETE('/api/users/{id}', { params: userPath(dialog) })).then(
      () => navigate(location.pathname),
      (err) => showError(document, err),
    );
  });
}
