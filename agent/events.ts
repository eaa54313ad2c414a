/**
 * Getting task events and results to the control plane: every event is journaled first (journal.ts),
 * then sent in batches in the background; what the server acknowledges is forgotten, what it does not
 * stays on disk and is sent again with backoff. The server deduplicates on (task, seq).
 */
import type { EventStatus, TaskEventInput, TaskProgress, TaskResultInput } from '../core/protocol';
import { Backoff, sleep } from './backoff';
import { isRetryable, type ProtocolClient } from './client';
import type { Journal } from './journal';
import type { Logger } from './log';
import { redactSecrets } from './redact';

const BATCH = 100;

export class EventSender {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private readonly backoff: Backoff;

  constructor(
    private readonly journal: Journal,
    private readonly client: ProtocolClient,
    private readonly log: Logger,
    backoff?: Backoff,
  ) {
    this.backoff = backoff ?? new Backoff({ baseMs: 500, capMs: 30_000 });
  }

  /** Sends what is pending for the task soon, without waiting; failures are retried later. */
  schedule(taskId: string): void {
    if (this.retryTimers.has(taskId)) return; // a retry is already due
    void this.flushOnce(taskId).catch((e) => {
      if (!isRetryable(e)) return;
      const t = setTimeout(() => {
        this.retryTimers.delete(taskId);
        this.schedule(taskId);
      }, this.backoff.next());
      t.unref();
      this.retryTimers.set(taskId, t);
    });
  }

  /** One attempt to send everything pending, serialized per task so batches go out in seq order. */
  flushOnce(taskId: string): Promise<void> {
    const prev = this.chains.get(taskId) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(() => this.sendPending(taskId));
    this.chains.set(taskId, next);
    void next
      .finally(() => {
        if (this.chains.get(taskId) === next) this.chains.delete(taskId);
      })
      .catch(() => {});
    return next;
  }

  private async sendPending(taskId: string): Promise<void> {
    for (;;) {
      const rec = this.journal.get(taskId);
      if (!rec || rec.pending.length === 0) return;
      const batch = rec.pending.slice(0, BATCH);
      try {
        await this.client.postEvents(taskId, batch);
        this.backoff.reset();
        // A 2xx means the server holds every event of the batch, newly accepted or a duplicate.
        this.journal.ack(taskId, batch[batch.length - 1].seq);
      } catch (e) {
        if (isRetryable(e)) {
          this.log.debug('events not delivered yet; kept on disk', { task: taskId, pending: rec.pending.length, reason: (e as Error).message });
          throw e;
        }
        // The server refuses them for good (task gone or not ours): keeping them would retry forever.
        this.log.warn('control plane refused task events; dropping them', { task: taskId, reason: (e as Error).message });
        this.journal.ack(taskId, batch[batch.length - 1].seq);
        throw e;
      }
    }
  }

  /** Resolves once no event of the task is pending; retries with backoff until `signal` aborts. */
  async drain(taskId: string, signal?: AbortSignal): Promise<void> {
    const backoff = new Backoff({ baseMs: 500, capMs: 30_000 });
    for (;;) {
      if (signal?.aborted) throw new Error('stopped before events were delivered (kept on disk)');
      try {
        await this.flushOnce(taskId);
        const rec = this.journal.get(taskId);
        if (!rec || rec.pending.length === 0) return;
      } catch (e) {
        if (!isRetryable(e)) return;
        await sleep(backoff.next(), signal);
      }
    }
  }

  /**
   * Posts the task's result once all its events are in, then forgets the task. A result the server
   * refuses for good (e.g. the task was cancelled meanwhile) is logged and dropped.
   */
  async deliverResult(taskId: string, signal?: AbortSignal): Promise<boolean> {
    const rec = this.journal.get(taskId);
    if (!rec?.result) return false;
    await this.drain(taskId, signal);
    const backoff = new Backoff({ baseMs: 500, capMs: 30_000 });
    for (;;) {
      if (signal?.aborted) return false;
      try {
        await this.client.postResult(taskId, rec.result);
        this.journal.finish(taskId);
        return true;
      } catch (e) {
        if (!isRetryable(e)) {
          this.log.warn('control plane refused the task result; dropping it', { task: taskId, reason: (e as Error).message });
          this.journal.finish(taskId);
          return false;
        }
        this.log.debug('result not delivered yet; kept on disk', { task: taskId, reason: (e as Error).message });
        await sleep(backoff.next(), signal);
      }
    }
  }

  stop(): void {
    for (const t of this.retryTimers.values()) clearTimeout(t);
    this.retryTimers.clear();
  }
}

/** What a step uses to say what it is doing: journaled, then sent in the background. */
export class TaskReporter {
  /** The install's secret values (maps the render step may still add to): never in an event, result or log line. */
  private readonly hidden: Array<Readonly<Record<string, string>>> = [];

  constructor(
    readonly taskId: string,
    private readonly journal: Journal,
    private readonly sender: EventSender,
    private readonly log: Logger,
  ) {}

  /** From now on every value of `values` (also ones added to it later) is written as its APP_SECRET_ placeholder. */
  hide(values: Readonly<Record<string, string>>): void {
    if (!this.hidden.includes(values)) this.hidden.push(values);
  }

  /** Text with the hidden values replaced (values are letters and digits, so JSON text stays valid). */
  scrub(text: string): string {
    return this.hidden.reduce((t, values) => redactSecrets(t, values), text);
  }

  private scrubValue<T>(value: T): T {
    const any = this.hidden.some((values) => Object.keys(values).length > 0);
    return any ? (JSON.parse(this.scrub(JSON.stringify(value))) as T) : value;
  }

  emit(status: EventStatus, message: string, step?: string, data?: Record<string, unknown>, progress?: TaskProgress): TaskEventInput {
    const clean = this.scrub(message);
    const ev = this.journal.append(this.taskId, {
      status,
      message: clean,
      ...(step ? { step } : {}),
      ...(data ? { data: this.scrubValue(data) } : {}),
      ...(progress ? { progress: this.scrubValue(progress) } : {}),
    });
    if (status !== 'Progress') this.log.info(`[${this.taskId}] ${step ?? '-'} ${status}: ${clean}`);
    this.sender.schedule(this.taskId);
    return ev;
  }

  setResult(result: TaskResultInput): void {
    this.journal.setResult(this.taskId, this.scrubValue(result));
  }
}
