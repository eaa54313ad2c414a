/**
 * The live task view. Follows /api/tasks/:id as Server-Sent Events (`progress` events replay from the
 * start, `done` ends the task) and draws them as steps: `Starting` opens a step, `OK | Warning |
 * Error` go inside it, `Progress` with {current,total} is a progress bar with bytes, `Complete`
 * closes it, `Finalized` ends the task.
 */
import { explainFailure } from '../failure';
import { durationBetween, formatBytes, formatDuration, stepLabel, timeAgo } from '../format';
import type { EventView, TaskProgress, TaskView as TaskJson } from '../types';
import { isLeaving } from './api';
import { $, $all, failureBlock, h, must, setBadge, type Attrs } from './dom';

/** "42% · 1.2 GB of 2.9 GB", "1.2 GB so far" when the total is unknown; a measured figure says so. */
export function progressText(p: TaskProgress): string {
  const pct = p.fraction != null ? `${Math.floor(p.fraction * 100)}% \u00b7 ` : '';
  const bytes = p.bytes_total ? `${formatBytes(p.bytes_done)} of ${formatBytes(p.bytes_total)}` : `${formatBytes(p.bytes_done)} so far`;
  return `${pct}${bytes}${p.approximate ? ' (measured on disk)' : ''}`;
}

interface Group {
  li: HTMLLIElement;
  icon: HTMLElement;
  msg: HTMLElement;
  pulls: HTMLElement;
  events: HTMLElement;
  bars: Record<string, { bytes: HTMLElement; meter: HTMLProgressElement }>;
  logs?: Record<string, HTMLPreElement>;
}

// biome-ignore lint/suspicious/noExplicitAny: an event's data as the agent sent it, read field by field where shown
type EventData = Record<string, any>;

export class TaskView {
  readonly id: string;
  private readonly wasFinal: boolean;
  private readonly steps: HTMLElement;
  private readonly result: HTMLElement;
  private readonly state: HTMLElement | null;
  private readonly groups: Record<string, Group> = {};
  private seen = 0;
  private readonly followS: number;
  private followUntil = 0;
  private countdown: HTMLElement | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private source: EventSource | null = null;
  private freedTotal: number | null = null;
  private freedSum: number | null = null;
  /** Told once the task ended (a flow that waits for it, e.g. a replacement). */
  onDone?: (task: TaskJson) => void;

  constructor(private readonly root: HTMLElement) {
    this.id = root.getAttribute('data-task-id') ?? '';
    this.wasFinal = root.getAttribute('data-final') === '1';
    this.steps = must('[data-steps]', root);
    this.result = must('[data-result]', root);
    this.state = $('[data-task-state]', root);
    this.followS = Number(root.getAttribute('data-follow-s')) || 0;
  }

  private group(step: string | null): Group {
    const key = step || 'task';
    const known = this.groups[key];
    if (known) return known;
    const icon = h('span', { class: 'step-icon', 'aria-hidden': 'true', text: '\u2022' });
    const msg = h('span', { class: 'muted small step-msg' });
    const pulls = h('div', { class: 'pulls' });
    const events = h('ul', { class: 'step-events' });
    const li = h('li', { class: 'step open', 'data-step': key }, [
      h('div', { class: 'step-head' }, [icon, h('span', { class: 'step-title', text: stepLabel(step) }), msg]),
      pulls,
      events,
    ]);
    this.steps.appendChild(li);
    const group = { li, icon, msg, pulls, events, bars: {} };
    this.groups[key] = group;
    return group;
  }

  private mark(g: Group, how: 'open' | 'done' | 'failed'): void {
    g.li.className = `step ${how}`;
    g.icon.textContent = how === 'done' ? '\u2713' : how === 'failed' ? '\u2715' : '\u2022';
  }

  /** One line per event; an error says what failed in words (its raw output is in the result, once). */
  private line(g: Group, status: string, message: string): void {
    if (!message) return;
    const text = status === 'Error' ? explainFailure(message).summary : message;
    g.events.appendChild(h('li', { class: `ev-${status}`, text: (status === 'Error' ? 'Error: ' : status === 'Warning' ? 'Warning: ' : '') + text }));
  }

  private bar(g: Group, key: string): { bytes: HTMLElement; meter: HTMLProgressElement } {
    const known = g.bars[key];
    if (known) return known;
    const bytes = h('span', { class: 'pull-bytes' });
    const meter = h('progress', { max: '1', 'aria-label': key });
    g.pulls.appendChild(
      h('div', { class: 'pull', 'data-progress': key }, [h('div', { class: 'pull-head' }, [h('span', { class: 'pull-name', text: key }), bytes]), meter]),
    );
    g.bars[key] = { bytes, meter };
    return g.bars[key];
  }

  /** A typed progress (snapshot, backup, restore): percent and bytes; no total is an indeterminate bar. */
  private typedProgress(g: Group, p: TaskProgress, step: string | null): void {
    const bar = this.bar(g, p.item || stepLabel(step));
    if (p.fraction == null) bar.meter.removeAttribute('value');
    else bar.meter.value = p.fraction;
    bar.meter.setAttribute('data-fraction', p.fraction == null ? '' : String(p.fraction));
    bar.bytes.textContent = progressText(p);
  }

  /** An image pull's {current, total} (layers too). */
  private progress(g: Group, data: EventData, message: string): void {
    const bar = this.bar(g, String(data.image || data.layer || data.id || message || 'progress'));
    const current = Number(data.current) || 0;
    const total = Number(data.total) || 0;
    let text: string;
    if (total > 0) {
      bar.meter.max = total;
      bar.meter.value = Math.min(current, total);
      text = `${formatBytes(current)} of ${formatBytes(total)} (${Math.floor((100 * Math.min(current, total)) / total)}%)`;
    } else {
      bar.meter.removeAttribute('value');
      text = formatBytes(current);
    }
    if (data.layers) text += ` \u00b7 ${data.layers_done || 0}/${data.layers} layers`;
    bar.bytes.textContent = text;
  }

  /** Container log lines: each container's stdout and stderr get their own labelled block, never mixed. */
  private logLines(g: Group, data: EventData): void {
    g.logs = g.logs || {};
    const stream = data.stream === 'stderr' ? 'stderr' : 'stdout';
    const key = `${data.container || ''} ${stream}`;
    let pre = g.logs[key];
    if (!pre) {
      pre = h('pre', { class: `code log log-${stream}`, 'data-stream': stream, 'data-container': data.container || '' });
      const head = h('div', { class: 'log-head' }, [
        h('span', { class: 'log-container', text: data.container || 'container' }),
        h('span', { class: `log-stream log-stream-${stream}`, text: stream === 'stderr' ? 'stderr · errors' : 'stdout' }),
      ]);
      g.li.appendChild(h('div', { class: `log-block log-block-${stream}` }, [head, pre]));
      g.logs[key] = pre;
    }
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    for (const line of data.lines as unknown[]) pre.appendChild(document.createTextNode(`${String(line)}\n`));
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }

  /** Space freed by a prune: a Finalized event's bytes_freed is the total, else the sum of the others'. */
  private countFreed(e: EventView, data: EventData): void {
    const n = Number(data.bytes_freed);
    if (!Number.isFinite(n) || n < 0) return;
    if (e.status === 'Finalized') this.freedTotal = n;
    else this.freedSum = (this.freedSum ?? 0) + n;
  }

  private freedBytes(): number | null {
    return this.freedTotal ?? this.freedSum;
  }

  private banner(tone: string, content: string | Node): void {
    this.result.textContent = '';
    this.result.appendChild(typeof content === 'string' ? h('p', { class: `result${tone ? ` result-${tone}` : ''}`, text: content }) : content);
    this.result.hidden = false;
  }

  event(e: EventView): void {
    if (e.seq <= this.seen) return;
    this.seen = e.seq;
    $('[data-waiting]', this.root)?.remove();
    // Started: it can no longer be cancelled.
    for (const b of $all('[data-click=cancel-task]', this.root)) b.remove();
    if (this.state?.getAttribute('data-state') === 'queued') setBadge(this.state, 'claimed', 'running');
    const data: EventData = e.data || {};
    if (data.bytes_freed != null) this.countFreed(e, data);
    if (e.status === 'Finalized') {
      const freed = this.freedBytes();
      this.banner('good', `Finalized: ${e.message || 'finished'}${freed != null ? ` · ${formatBytes(freed)} freed` : ''}`);
      return;
    }
    if (this.followS && !this.followUntil) this.startCountdown();
    const g = this.group(e.step);
    if (e.status === 'Starting') {
      this.mark(g, 'open');
      g.msg.textContent = e.message || '';
    } else if (e.status === 'Complete') {
      this.mark(g, 'done');
      if (e.message && !/^(done|ok|complete)\.?$/i.test(e.message) && e.message !== g.msg.textContent) this.line(g, 'Complete', e.message);
    } else if (e.status === 'Progress' && e.progress) {
      this.typedProgress(g, e.progress, e.step);
    } else if (e.status === 'Progress') {
      this.progress(g, data, e.message);
    } else if (Array.isArray(data.lines)) {
      this.logLines(g, data);
    } else {
      if (e.status === 'Error') this.mark(g, 'failed');
      this.line(g, e.status, e.message);
    }
  }

  /** A followed logs task: how long it still streams. */
  private startCountdown(): void {
    this.followUntil = Date.now() + this.followS * 1000;
    const countdown = h('p', { class: 'muted small follow-left' });
    this.countdown = countdown;
    this.steps.parentNode?.insertBefore(countdown, this.steps);
    const tick = () => {
      const left = Math.max(0, Math.round((this.followUntil - Date.now()) / 1000));
      countdown.textContent = `Following: new lines appear as they are written · ${left} s left`;
    };
    tick();
    this.timer = setInterval(tick, 1000);
  }

  stop(): void {
    this.source?.close();
    if (this.timer) clearInterval(this.timer);
  }

  private resultBanner(task: TaskJson): void {
    if (task.state === 'failed') {
      const { summary, raw } = explainFailure(task.detail);
      const lead = `Failed${task.failed_step ? ` at \u201c${stepLabel(task.failed_step)}\u201d` : ''}: `;
      const block = failureBlock(summary, raw, lead);
      block.classList.add('result', 'result-bad');
      this.banner('', block);
    } else if (task.state === 'succeeded') {
      const freed = this.freedBytes();
      if (this.root.getAttribute('data-kind') === 'prune' || freed != null) {
        this.banner('good', `Done: ${freed != null ? `${formatBytes(freed)} freed.` : 'unused images removed.'}${task.detail ? ` ${task.detail}` : ''}`);
        if (freed != null) this.result.firstElementChild?.setAttribute('data-freed-bytes', String(freed));
      } else if (!$('.result-good', this.result)) this.banner('good', `Done. ${task.detail || ''}`);
    } else {
      this.banner('', `Cancelled. ${task.detail || ''}`);
    }
  }

  done(task: TaskJson): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.countdown) this.countdown.textContent = 'Stopped following.';
    if (this.state) setBadge(this.state, task.state);
    this.root.classList.add(`task-${task.state}`);
    for (const [k, g] of Object.entries(this.groups)) {
      if (!g.li.classList.contains('open')) continue;
      this.mark(g, task.state === 'failed' && (!task.failed_step || task.failed_step === k) ? 'failed' : task.state === 'succeeded' ? 'done' : 'open');
    }
    for (const b of $all('[data-click=cancel-task]', this.root)) b.remove();
    const timing = $('[data-live=timing]', this.root);
    if (timing) {
      const took = task.state === 'cancelled' ? '' : ` \u00b7 took ${formatDuration(durationBetween(task.claimed_at ?? task.created_at, task.finished_at))}`;
      timing.textContent = `Finished ${timeAgo(task.finished_at, Date.now())}${took}`;
    }
    this.resultBanner(task);
    this.root.setAttribute('data-final', '1');
    this.onDone?.(task);
    if (this.root.getAttribute('data-reload-on-done') && !this.wasFinal) {
      setTimeout(() => {
        if (!isLeaving()) location.reload();
      }, 1500);
    }
  }

  follow(): void {
    const source = new EventSource(`/api/tasks/${encodeURIComponent(this.id)}`);
    this.source = source;
    source.addEventListener('progress', (m) => this.event(JSON.parse((m as MessageEvent).data)));
    source.addEventListener('done', (m) => {
      source.close();
      this.done(JSON.parse((m as MessageEvent).data));
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED && this.root.getAttribute('data-final') !== '1') {
        this.banner('bad', 'Live updates stopped. Reload the page to see the latest state.');
      }
    };
  }
}

/** A task followed inside another page (logs, prune): the same frame the server draws for a task. */
export function inlineTaskPanel(taskId: string, title: string, waiting: string, attrs: Attrs = {}, note?: string): HTMLElement {
  return h('section', { class: 'task-inline', 'data-task-id': taskId, 'data-final': '0', ...attrs }, [
    h('div', { class: 'card-head' }, [
      h('h3', { text: title }),
      h('span', { class: 'badge tone-busy', 'data-task-state': '1', 'data-state': 'queued', text: 'Queued' }),
    ]),
    note ? h('p', { class: 'muted small', text: note }) : null,
    h('p', { class: 'note small', 'data-waiting': '1', text: waiting }),
    h('ol', { class: 'steps', 'data-steps': '1' }),
    h('div', { class: 'task-result', 'data-result': '1', hidden: true }),
  ]);
}

export function startTaskViews(): void {
  for (const root of $all('[data-task-stream]')) new TaskView(root).follow();
}
