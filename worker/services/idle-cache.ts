/**
 * Remembers, for a while, that an HDA's last poll found nothing to do, so an idle agent's next
 * poll is answered without touching the database. Anything that queues work for an HDA, or changes
 * its token, notifies the HDA's waker key, which drops the entry first (see deps.ts). What no write
 * announces is a logs task in flight whose lease runs out (its agent died): an entry never outlives
 * the earliest such lease. The lifetime is then only a safety net.
 *
 * Only for a single process that makes every write itself (the embedded Node default): another
 * process queueing tasks in the same database would not clear this process's entries.
 */
export interface IdleEntry {
  /** The token this HDA's agent proved to own on the last checked poll. */
  token: string;
  lastSeenAt: number | null;
  expiresAt: number;
}

export class IdleCache {
  private readonly entries = new Map<string, IdleEntry>();
  /** Counts drops: a poll that read the database before a drop must not remember what it read. */
  private drops = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 200_000,
  ) {}

  get(hdaId: string, now: number): IdleEntry | undefined {
    const e = this.entries.get(hdaId);
    if (e && e.expiresAt <= now) {
      this.entries.delete(hdaId);
      return undefined;
    }
    return e;
  }

  /** Read before a poll's query; hand it to set() so an answer older than a drop is never remembered. */
  get version(): number {
    return this.drops;
  }

  /**
   * `until`: a moment the answer may change with no write (a lease ending); the entry ends by then.
   * `readAt`: the version when the poll read the database; a drop since then (work queued meanwhile) wins.
   */
  set(hdaId: string, token: string, lastSeenAt: number | null, now: number, until: number | null | undefined, readAt: number): void {
    if (readAt !== this.drops) return;
    if (this.entries.size >= this.maxEntries && !this.entries.has(hdaId)) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    const expiresAt = until == null ? now + this.ttlMs : Math.min(now + this.ttlMs, until + 1);
    this.entries.set(hdaId, { token, lastSeenAt, expiresAt });
  }

  touch(hdaId: string, lastSeenAt: number): void {
    const e = this.entries.get(hdaId);
    if (e) e.lastSeenAt = lastSeenAt;
  }

  delete(hdaId: string): void {
    this.drops++;
    this.entries.delete(hdaId);
  }
}
