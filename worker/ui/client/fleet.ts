/**
 * Fleet deployments. The form on /fleet (versions of the chosen app, HDAs by ticking or by tag,
 * per-HDA NAME=value lines) and the live batch page: the batch's own SSE stream (`batch` snapshots
 * until it ends) updates each HDA's state, and the tasks in flight are followed (at most three
 * streams at once, to leave the browser connections free) to show each HDA's latest status.
 */
import { FINISHED_ITEM_STATES } from '../../../core/fleet/states';
import { explainFailure } from '../failure';
import { BATCH_LABELS, formatBytes, ITEM_LABELS, stepLabel } from '../format';
import type { BatchDetail, EventView, NewBatchBody, TaskView as TaskJson } from '../types';
import { call, client, navigate, userError } from './api';
import { $, $all, failureBlock, h, must, setBadge } from './dom';
import { formValues, forms, type FormValues } from './events';

const ACTION_WORDS: Record<string, string> = { install: 'Install', update: 'Update' };
const FINAL_BATCH = new Set(['succeeded', 'failed', 'rolled_back', 'cancelled']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** "NAME=value" lines to an object; blank lines and # comments are skipped. */
export function parseEnv(text: string, hdaName: string): Record<string, string> | null {
  const env: Record<string, string> = {};
  let count = 0;
  String(text || '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.replace(/^\s+/, '');
      if (!line || line.charAt(0) === '#') return;
      const eq = line.indexOf('=');
      const name = eq < 0 ? line.trim() : line.slice(0, eq).trim();
      if (eq < 0 || !ENV_NAME.test(name)) {
        throw userError(`Environment for ${hdaName}, line ${i + 1}: write NAME=value, where NAME is letters, digits and _ (not starting with a digit).`);
      }
      env[name] = line.slice(eq + 1);
      count++;
    });
  return count ? env : null;
}

const hasTag = (li: Element, tag: string) => ` ${li.getAttribute('data-tags')} `.includes(` ${tag} `);

function fleetTargets(form: HTMLFormElement, v: FormValues): HTMLElement[] {
  const picks = $all('.hda-pick', form);
  if (v.target === 'tag') return picks.filter((li) => hasTag(li, v.tag));
  return picks.filter((li) => must<HTMLInputElement>('input[name=hdas]', li).checked);
}

forms.batch = async (form, v) => {
  const body: NewBatchBody = { app: v.app };
  if (v.version) body.version = v.version;
  if (v.target === 'tag') {
    if (!v.tag) throw userError('Choose a tag.');
    body.tag = v.tag;
  } else {
    if (!v.hdas?.length) throw userError('Tick at least one HDA, or choose a tag.');
    body.hdas = v.hdas;
  }
  const c = parseInt(v.concurrency, 10);
  if (c) body.concurrency = c;
  if (v.all_or_nothing) body.all_or_nothing = true;
  const overrides: Record<string, { env: Record<string, string> }> = {};
  for (const li of fleetTargets(form, v)) {
    const id = li.getAttribute('data-hda-id')!;
    const env = parseEnv(v[`env:${id}`], li.getAttribute('data-hda-name') ?? '');
    if (env) overrides[id] = { env };
  }
  if (Object.keys(overrides).length) body.overrides = overrides;
  const r = await call(client.POST('/api/batches', { body }));
  navigate(`/batches/${encodeURIComponent(r.batch.id)}`);
};

async function loadVersions(form: HTMLFormElement): Promise<void> {
  const appSel = $<HTMLSelectElement>('select[data-versions-for]', form);
  const verSel = $<HTMLSelectElement>('select[data-versions]', form);
  if (!appSel || !verSel || !appSel.value) return;
  const slug = appSel.value;
  const r = await call(client.GET('/api/catalog/apps/{slug}', { params: { path: { slug } } })).catch(() => null);
  if (!r || appSel.value !== slug) return;
  verSel.textContent = '';
  const versions = (r.versions || []).filter((x) => (x.status as string) !== 'rejected');
  verSel.appendChild(h('option', { value: '', text: versions.length ? `The newest (${versions[0].version})` : 'The newest' }));
  for (const x of versions)
    verSel.appendChild(h('option', { value: x.version, text: x.version + (x.status === 'needs_review' ? ' \u00b7 needs review' : '') }));
}

/** Tag mode: the HDAs with the tag are highlighted and the ticks are off. */
function syncTargetMode(form: HTMLFormElement): void {
  const v = formValues(form);
  const byTag = v.target === 'tag';
  for (const li of $all('.hda-pick', form)) {
    must<HTMLInputElement>('input[name=hdas]', li).disabled = byTag;
    const inTag = byTag && hasTag(li, v.tag);
    li.classList.toggle('in-tag', inTag);
    li.classList.toggle('dim', byTag && !inTag);
  }
}

export function wireFleetForm(): void {
  const form = $<HTMLFormElement>('form[data-form=batch]');
  if (!form) return;
  form.addEventListener('change', (ev) => {
    const t = ev.target as HTMLInputElement;
    if (t.matches('select[data-versions-for]')) void loadVersions(form);
    if (t.name === 'target' || t.name === 'tag') {
      if (t.name === 'tag') must<HTMLInputElement>('input[name=target][value=tag]', form).checked = true;
      syncTargetMode(form);
    }
  });
  void loadVersions(form);
  syncTargetMode(form);
}

/** The live batch page. */
class BatchLive {
  private readonly id: string;
  private readonly following: Record<string, string> = {};
  private readonly waiting: Array<{ li: HTMLElement; taskId: string }> = [];
  private open = 0;
  private readonly maxStreams = 3;

  constructor(private readonly root: HTMLElement) {
    this.id = root.getAttribute('data-batch-id')!;
  }

  private item(hdaId: string) {
    return $(`.batch-item[data-hda-id="${hdaId}"]`);
  }

  /** The HDA's latest status line: a word, the step, and a short message (never the raw output). */
  private block(li: HTMLElement, status: string, step: string | null, message: string | null): void {
    const box = must('[data-live=block]', li);
    box.textContent = '';
    box.appendChild(h('span', { class: `lh lh-${status}`, text: status }));
    if (step) box.appendChild(h('span', { class: 'bi-step', text: stepLabel(step) }));
    if (message) box.appendChild(h('span', { class: 'muted bi-msg', text: status === 'Error' ? explainFailure(message).summary : message }));
  }

  /** The item's detail: a failure in words with the output one click away, or plain text. */
  private detail(li: HTMLElement, state: string, text: string | null): void {
    const box = must('[data-live=detail]', li);
    box.textContent = '';
    if (!text) return;
    if (state !== 'failed') {
      box.textContent = text;
      return;
    }
    const { summary, raw } = explainFailure(text);
    box.appendChild(failureBlock(summary, raw));
  }

  update(view: BatchDetail): void {
    const b = view.batch;
    const head = $('[data-batch-state]');
    setBadge(head, b.state, BATCH_LABELS[b.state], b.state === 'running' ? 'busy' : undefined);
    let done = 0;
    const counts: Record<string, number> = {};
    for (const it of view.items) {
      if (FINISHED_ITEM_STATES.has(it.state)) done++;
      counts[it.state] = (counts[it.state] || 0) + 1;
      const li = this.item(it.hda_id);
      if (!li) continue;
      const before = li.getAttribute('data-item-state');
      li.setAttribute('data-item-state', it.state);
      setBadge($('[data-live=item-state]', li), it.state, ITEM_LABELS[it.state]);
      must('[data-live=action]', li).textContent = it.action ? ACTION_WORDS[it.action] || it.action : '';
      if (before !== it.state || li.getAttribute('data-detail') !== (it.detail ?? '')) {
        li.setAttribute('data-detail', it.detail ?? '');
        this.detail(li, it.state, it.detail);
      }
      if (it.task_id && li.getAttribute('data-task-id') !== it.task_id) {
        li.setAttribute('data-task-id', it.task_id);
        const links = must('[data-live=links]', li);
        links.textContent = '';
        links.appendChild(h('a', { href: `/tasks/${encodeURIComponent(it.task_id)}`, text: 'Task steps \u2192' }));
        if (it.install_id) links.appendChild(h('a', { href: `/installs/${encodeURIComponent(it.install_id)}`, text: 'The app on this HDA \u2192' }));
      }
      if (it.state === 'queued' && it.task_id) this.followTask(li, it.task_id);
      if (FINISHED_ITEM_STATES.has(it.state) && !this.following[it.task_id || it.hda_id]) {
        this.block(li, it.state === 'succeeded' ? 'Finalized' : it.state === 'failed' ? 'Error' : 'Complete', null, null);
      }
    }
    const parts = Object.keys(counts).map((s) => `${counts[s]} ${(ITEM_LABELS[s] || s).toLowerCase()}`);
    const n = view.items.length;
    must('[data-live=summary]', this.root).textContent = `${done} of ${n} done \u00b7 ${n} HDA${n === 1 ? '' : 's'}: ${parts.join(', ')}`;
    const bar = $<HTMLProgressElement>('progress', this.root);
    if (bar) bar.value = done;
    if (FINAL_BATCH.has(b.state)) {
      this.root.setAttribute('data-final', '1');
      const banner = must('[data-live=banner]', this.root);
      banner.className = `result ${b.state === 'succeeded' ? 'result-good' : 'result-bad'}`;
      banner.textContent = (BATCH_LABELS[b.state] || b.state) + (b.state === 'succeeded' ? ': every HDA runs this version.' : '.');
      banner.hidden = false;
    }
  }

  /** Follows one HDA's task to show its latest status; at most maxStreams at once, the rest wait. */
  private followTask(li: HTMLElement, taskId: string): void {
    if (this.following[taskId]) return;
    this.following[taskId] = 'waiting';
    this.waiting.push({ li, taskId });
    this.pump();
  }

  private pump(): void {
    while (this.open < this.maxStreams && this.waiting.length) {
      const next = this.waiting.shift()!;
      this.open++;
      this.stream(next.li, next.taskId);
    }
  }

  private stream(li: HTMLElement, taskId: string): void {
    this.following[taskId] = 'open';
    const source = new EventSource(`/api/tasks/${encodeURIComponent(taskId)}`);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      source.close();
      this.open--;
      this.pump();
    };
    source.addEventListener('progress', (m) => {
      const e = JSON.parse((m as MessageEvent).data) as EventView;
      const d = e.data || {};
      let msg = e.message || '';
      if (e.status === 'Progress' && Number(d.total) > 0) msg = `${formatBytes(Number(d.current) || 0)} of ${formatBytes(Number(d.total))}`;
      this.block(li, e.status, e.status === 'Finalized' ? null : e.step, msg);
    });
    source.addEventListener('done', (m) => {
      const t = JSON.parse((m as MessageEvent).data) as TaskJson;
      // The failure itself is in the item's detail (once): the status line names the step only.
      if (t.state === 'failed') this.block(li, 'Error', t.failed_step, null);
      else if (t.state !== 'succeeded') this.block(li, 'Complete', null, 'cancelled');
      close();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) close();
    };
  }

  follow(): void {
    if (this.root.getAttribute('data-final') === '1') return;
    const source = new EventSource(`/api/batches/${encodeURIComponent(this.id)}`);
    source.addEventListener('batch', (m) => {
      const view = JSON.parse((m as MessageEvent).data) as BatchDetail;
      this.update(view);
      if (FINAL_BATCH.has(view.batch.state)) source.close();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED && this.root.getAttribute('data-final') !== '1') {
        const banner = must('[data-live=banner]', this.root);
        banner.className = 'result result-bad';
        banner.textContent = 'Live updates stopped. Reload the page to see the latest state.';
        banner.hidden = false;
      }
    };
  }
}

export function startBatchView(): void {
  const root = $('[data-batch-id]');
  if (root) new BatchLive(root).follow();
}
