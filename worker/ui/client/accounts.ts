/** Account management: an admin edits, disables, deletes and resets users; everyone changes their own password. */
import type { NewPasswordBody, PasswordChangeBody, UserPatchBody } from '../../routes/users';
import { api, navigate } from './api';
import { fill, must } from './dom';
import { showError } from './errors';
import { clicks, forms } from './events';

const userUrl = (el: Element) => `/api/users/${encodeURIComponent(el.getAttribute('data-user') ?? '')}`;

forms['edit-user'] = async (form, v) => {
  const body: UserPatchBody = { role: v.role, disabled: !!v.disabled };
  await api('PATCH', userUrl(form), body);
  navigate(location.pathname);
};

forms['reset-password'] = async (form, v) => {
  const body: NewPasswordBody = { password: v.password };
  await api('PUT', `${userUrl(form)}/password`, body);
  form.reset();
  fill(form, 'done', 'Password set. Tell them the new one in person or over a channel you trust.');
};

forms['change-password'] = async (form, v) => {
  const body: PasswordChangeBody = { current_password: v.current_password, new_password: v.new_password };
  await api('PUT', '/api/account/password', body);
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
    api('DELETE', userUrl(dialog)).then(
      () => navigate(location.pathname),
      (err) => showError(document, err),
    );
  });
}
