/**
 * The two delegated listeners (form submit, button click) and their registries: each page part
 * registers named handlers; `data-form="name"` and `data-click="name"` pick them.
 */
import { $all, type Scope } from './dom';
import { isLeaving } from './api';
import { clearError, showError } from './errors';

// biome-ignore lint/suspicious/noExplicitAny: a form's fields by name: text, a checkbox or a list of checked values
export type FormValues = Record<string, any>;
export type FormHandler = (form: HTMLFormElement, v: FormValues, submitter: HTMLButtonElement | null) => unknown;
export type ClickHandler = (btn: HTMLElement) => unknown;

export const forms: Record<string, FormHandler> = {};
export const clicks: Record<string, ClickHandler> = {};

/** A form's fields as JSON: checkboxes as booleans (or lists with data-list), radios as the checked value. */
export function formValues(form: HTMLFormElement): FormValues {
  const out: FormValues = {};
  for (const el of $all<HTMLInputElement>('input[name], select[name], textarea[name]', form)) {
    if (el.type === 'radio') {
      if (el.checked) out[el.name] = el.value;
    } else if (el.type === 'checkbox') {
      if (el.getAttribute('data-list')) {
        out[el.name] = out[el.name] || [];
        if (el.checked) out[el.name].push(el.value);
      } else out[el.name] = el.checked;
    } else out[el.name] = el.value;
  }
  return out;
}

async function onSubmit(ev: SubmitEvent): Promise<void> {
  const form = ev.target as HTMLFormElement;
  const name = form.getAttribute?.('data-form');
  if (!name || !forms[name]) return;
  ev.preventDefault();
  const submitter = (ev.submitter as HTMLButtonElement | null) || form.querySelector<HTMLButtonElement>('[type=submit]');
  const buttons = $all<HTMLButtonElement>('button', form);
  clearError(form);
  for (const b of buttons) b.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    await forms[name](form, formValues(form), submitter);
  } catch (err) {
    showError(form, err);
  }
  form.removeAttribute('aria-busy');
  // A button a handler switched off (data-off) stays off.
  if (!isLeaving()) for (const b of buttons) b.disabled = b.hasAttribute('data-off');
}

async function onClick(ev: MouseEvent): Promise<void> {
  const btn = (ev.target as Element).closest?.<HTMLButtonElement>('[data-click]');
  if (!btn) return;
  const name = btn.getAttribute('data-click')!;
  if (!clicks[name]) return;
  ev.preventDefault();
  const scope: Scope = btn.closest('.card, .install-row, dialog') || document;
  clearError(scope);
  btn.disabled = true;
  try {
    await clicks[name](btn);
  } catch (err) {
    showError(scope, err);
  }
  if (!isLeaving() && !btn.hasAttribute('data-off')) btn.disabled = false;
}

export function wireEvents(): void {
  document.addEventListener('submit', (ev) => void onSubmit(ev));
  document.addEventListener('click', (ev) => void onClick(ev));
}
