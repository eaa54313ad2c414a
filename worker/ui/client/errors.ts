/** Refusals on the page: in the form's own box (or the page's banner), with any safety findings. */
import type { Finding } from '../types';
import { ApiFailure, navigate } from './api';
import { $, h, type Scope } from './dom';

const SEVERITY_WORD: Record<string, string> = { error: 'Blocked', review: 'Needs review', warning: 'Warning', info: 'Note' };

/** A policy finding, as versions and refusals (in `details.findings`) carry them. */
export type FindingLike = Finding;

export function findingsList(findings: FindingLike[] | undefined): HTMLElement {
  if (!findings || findings.length === 0) return h('p', { class: 'muted', text: 'No findings.' });
  return h(
    'ul',
    { class: 'findings' },
    findings.map((f) =>
      h('li', { class: `finding sev-${f.severity}` }, [
        h('span', { class: 'finding-sev', text: SEVERITY_WORD[f.severity] || f.severity }),
        h('span', { class: 'finding-rule', text: f.rule }),
        h('span', { class: 'finding-msg', text: f.message }),
        f.line ? h('code', { class: 'finding-line', text: `line ${f.line}: ${f.text || ''}` }) : null,
      ]),
    ),
  );
}

function errorBox(scope: Scope | null): HTMLElement {
  return (scope && $('.form-error', scope)) || $('#flash')!;
}

export function clearError(scope: Scope | null): void {
  const box = errorBox(scope);
  if (box) {
    box.hidden = true;
    box.textContent = '';
  }
}

export function showError(scope: Scope | null, err: unknown): void {
  const box = errorBox(scope);
  const failure = err instanceof ApiFailure ? err : null;
  const signedOut = !!failure?.sessionEnded;
  box.textContent = '';
  const text = signedOut ? 'Your session has ended: sign in again.' : (err as Error)?.message || 'Something went wrong.';
  box.appendChild(document.createTextNode(text));
  const details = failure?.body.details as { findings?: FindingLike[] } | undefined;
  if (details?.findings?.length) box.appendChild(findingsList(details.findings));
  box.hidden = false;
  box.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  if (signedOut && !/^\/login/.test(location.pathname)) {
    setTimeout(() => navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`), 1500);
  }
}
