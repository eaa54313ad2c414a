/**
 * Progress of long restic runs as typed task progress. A snapshot or backup run takes restic's own
 * `--json` status figures; a restore (restic 0.14's `restore --json` prints no status) is measured
 * beside it: the bytes of the files under the staging folder against the snapshot's restore size.
 * restic preallocates each file when it starts writing it, so a restore's figure moves file by file
 * and is marked approximate. Whatever the source, at most one progress goes out every PROGRESS_EVERY_MS.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskProgress } from '../../core/protocol';
import { restoreSize, type ResticRepo } from './restic';

export const PROGRESS_EVERY_MS = 2000;

export type ProgressSink = (p: TaskProgress) => void;

/** restic's figures as restic.ts hands them from a status line. */
export interface ResticStatus {
  fraction: number;
  bytesDone: number;
  totalBytes: number;
}

const whole = (n: number) => (Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);
const clamp01 = (n: number) => Math.min(1, Math.max(0, n));

/** One line of restic's `--json` output as progress; undefined for anything but a status line. */
export function parseResticStatus(line: string, item?: string): TaskProgress | undefined {
  let msg: Record<string, unknown>;
  try {
    msg = JSON.parse(line.trim()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (msg?.message_type !== 'status') return undefined;
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  return fromRestic({ fraction: n(msg.percent_done), bytesDone: n(msg.bytes_done), totalBytes: n(msg.total_bytes) }, item);
}

/** restic's status figures as typed progress (restic's percent weighs files too: kept as it says it). */
export function fromRestic(s: ResticStatus, item?: string): TaskProgress {
  const total = whole(s.totalBytes);
  return {
    ...(item ? { item } : {}),
    bytes_done: total ? Math.min(whole(s.bytesDone), total) : whole(s.bytesDone),
    bytes_total: total || null,
    fraction: Number.isFinite(s.fraction) ? clamp01(s.fraction) : null,
  };
}

/** Bytes measured against a total, or an indeterminate figure when the total is unknown. */
export function measured(done: number, total: number | null, item?: string): TaskProgress {
  const capped = total ? Math.min(whole(done), total) : whole(done);
  return { ...(item ? { item } : {}), bytes_done: capped, bytes_total: total || null, fraction: total ? capped / total : null, approximate: true };
}

export interface Throttled {
  push(p: TaskProgress): void;
  /** Sends the last progress held back, if any. */
  flush(): void;
}

/** Forwards the first progress at once, then at most one every `everyMs`; the latest one wins. */
export function throttled(sink: ProgressSink, everyMs = PROGRESS_EVERY_MS, now: () => number = Date.now): Throttled {
  let last = Number.NEGATIVE_INFINITY;
  let held: TaskProgress | undefined;
  return {
    push(p) {
      if (now() - last < everyMs) {
        held = p;
        return;
      }
      last = now();
      held = undefined;
      sink(p);
    },
    flush() {
      if (!held) return;
      last = now();
      sink(held);
      held = undefined;
    },
  };
}

/** One throttle per item (an app each), so one app's figures never hold back another's. */
export function throttledPerItem(sink: ProgressSink, everyMs = PROGRESS_EVERY_MS): Throttled {
  const byItem = new Map<string, Throttled>();
  return {
    push(p) {
      const key = p.item ?? '';
      let t = byItem.get(key);
      if (!t) {
        t = throttled(sink, everyMs);
        byItem.set(key, t);
      }
      t.push(p);
    },
    flush() {
      for (const t of byItem.values()) t.flush();
    },
  };
}

/** Bytes of the regular files under `dir` (symbolic links not followed); 0 when it does not exist. */
export function bytesUnder(dir: string): number {
  let sum = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const name of names) {
      const p = join(d, name);
      try {
        const st = lstatSync(p);
        if (st.isDirectory()) stack.push(p);
        else if (st.isFile()) sum += st.size;
      } catch {
        // Gone while walking (restic renames temporary files): counted on the next pass.
      }
    }
  }
  return sum;
}

/** Measures restores of one snapshot, path after path, as one bar: each restore adds to what the earlier ones wrote. */
export class RestoreMeter {
  private base = 0;
  private readonly out: Throttled;

  constructor(
    private readonly total: number | null,
    sink: ProgressSink,
    private readonly item?: string,
    private readonly everyMs = PROGRESS_EVERY_MS,
  ) {
    this.out = throttled(sink, everyMs);
  }

  /** Runs `work` (a restore into `dir`), sending the bytes under `dir` every `everyMs` while it runs. */
  async run<T>(dir: string, work: () => Promise<T>): Promise<T> {
    const tick = () => this.out.push(measured(this.base + bytesUnder(dir), this.total, this.item));
    tick();
    const timer = setInterval(tick, this.everyMs);
    try {
      const r = await work();
      this.base += bytesUnder(dir);
      this.out.push(measured(this.base, this.total, this.item));
      this.out.flush();
      return r;
    } finally {
      clearInterval(timer);
    }
  }
}

/** A meter for restoring `snapshotId`: its total is restic's restore size, unknown when restic cannot tell. */
export async function restoreMeter(repo: ResticRepo, snapshotId: string, sink: ProgressSink, item?: string, signal?: AbortSignal): Promise<RestoreMeter> {
  const total = await restoreSize(repo, snapshotId, { signal }).catch(() => null);
  return new RestoreMeter(total, sink, item);
}

/** Progress in words for the event's message: "nextcloud: 42% (1.2 GiB of 2.9 GiB)". */
export function describeProgress(p: TaskProgress): string {
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  const pct = p.fraction != null ? `${Math.floor(p.fraction * 100)}% ` : '';
  const bytes = p.bytes_total ? `${mib(p.bytes_done)} of ${mib(p.bytes_total)}` : mib(p.bytes_done);
  return `${p.item ? `${p.item}: ` : ''}${pct}(${bytes}${p.approximate ? ', measured on disk' : ''})`;
}
