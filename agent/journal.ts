/**
 * The on-disk journal of each task in hand: the claimed task itself (so a task interrupted by a crash
 * or a reboot is resumed), the next event seq (so a re-run continues the sequence), the events the
 * control plane has not acknowledged yet (re-sent after an outage or a restart) and the result
 * waiting to be posted. One JSON file per task in <state>/journal, replaced atomically on each change.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ClaimedTask, TaskEventInput, TaskResultInput } from '../core/protocol';
import { writeJsonAtomic } from './fs-atomic';

export interface JournalRecord {
  task_id: string;
  task?: ClaimedTask;
  next_seq: number;
  acked_seq: number;
  pending: TaskEventInput[];
  result?: TaskResultInput;
  /** How many times this agent started executing the task (a resume after a crash is run 2). */
  runs: number;
  /** What a step must not do twice when the task runs again (e.g. the snapshot taken before an update). */
  memo?: Record<string, unknown>;
  updated_at: string;
}

export type NewEvent = Omit<TaskEventInput, 'seq'>;

export class Journal {
  private readonly dir: string;
  private readonly cache = new Map<string, JournalRecord>();

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'journal');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private file(taskId: string): string {
    // Task ids come from the server: keep them from naming a path outside the journal.
    const safe = /^[A-Za-z0-9_-]{1,100}$/.test(taskId) ? taskId : createHash('sha256').update(taskId).digest('hex');
    return join(this.dir, `${safe}.json`);
  }

  get(taskId: string): JournalRecord | undefined {
    const cached = this.cache.get(taskId);
    if (cached) return cached;
    const file = this.file(taskId);
    if (!existsSync(file)) return undefined;
    try {
      const rec = JSON.parse(readFileSync(file, 'utf8')) as JournalRecord;
      this.cache.set(taskId, rec);
      return rec;
    } catch {
      // A torn file cannot happen with atomic renames; anything unreadable is set aside, not fatal.
      rmSync(file, { force: true });
      return undefined;
    }
  }

  private save(rec: JournalRecord): void {
    rec.updated_at = new Date().toISOString();
    this.cache.set(rec.task_id, rec);
    writeJsonAtomic(this.file(rec.task_id), rec, 0o600);
  }

  /** Records a task as in hand and counts one more run of it. */
  begin(task: ClaimedTask): JournalRecord {
    const rec = this.get(task.id) ?? { task_id: task.id, next_seq: 1, acked_seq: 0, pending: [], runs: 0, updated_at: '' };
    rec.task = task;
    rec.runs += 1;
    this.save(rec);
    return rec;
  }

  /** Keeps a task in hand without counting a run (it was claimed but never started). */
  hold(task: ClaimedTask): void {
    const rec = this.get(task.id) ?? { task_id: task.id, next_seq: 1, acked_seq: 0, pending: [], runs: 0, updated_at: '' };
    rec.task = task;
    this.save(rec);
  }

  /** Gives the event the task's next seq and stores it before anyone tries to send it. */
  append(taskId: string, event: NewEvent): TaskEventInput {
    const rec = this.get(taskId) ?? { task_id: taskId, next_seq: 1, acked_seq: 0, pending: [], runs: 0, updated_at: '' };
    const full: TaskEventInput = { seq: rec.next_seq, ...event };
    rec.next_seq += 1;
    rec.pending.push(full);
    this.save(rec);
    return full;
  }

  /** The server holds every event up to lastSeq: forget them. */
  ack(taskId: string, lastSeq: number): void {
    const rec = this.get(taskId);
    if (!rec) return;
    rec.acked_seq = Math.max(rec.acked_seq, lastSeq);
    rec.pending = rec.pending.filter((e) => e.seq > rec.acked_seq);
    this.save(rec);
  }

  /** The task was handed back to the queue: it is no longer in hand, but its seq carries on. */
  release(taskId: string): void {
    const rec = this.get(taskId);
    if (!rec) return;
    delete rec.task;
    this.save(rec);
  }

  /** Remembers a step's outcome for a re-run of the same task. */
  setMemo(taskId: string, key: string, value: unknown): void {
    const rec = this.get(taskId);
    if (!rec) return;
    rec.memo = { ...rec.memo, [key]: value };
    this.save(rec);
  }

  setResult(taskId: string, result: TaskResultInput): void {
    const rec = this.get(taskId);
    if (!rec) return;
    rec.result = result;
    this.save(rec);
  }

  /** The task is done and reported: drop its journal. */
  finish(taskId: string): void {
    this.cache.delete(taskId);
    rmSync(this.file(taskId), { force: true });
  }

  list(): JournalRecord[] {
    const out: JournalRecord[] = [];
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      try {
        const rec = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as JournalRecord;
        out.push(this.cache.get(rec.task_id) ?? rec);
      } catch {
        /* skipped: see get() */
      }
    }
    return out;
  }
}
