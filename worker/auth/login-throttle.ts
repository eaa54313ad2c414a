/**
 * Sign-in throttling with growing delays instead of a lock. Failures are counted per account AND
 * client address (a guesser slows only their own attempts on that account, never the owner's from
 * elsewhere) and per address over all accounts (made-up names cost the guesser time too). After a
 * few free failures each further one doubles the wait, up to a cap. The book is bounded, but a key
 * that is delaying someone is never dropped to make room, so made-up names cannot flush a guesser's
 * counters; when the book is full of such keys, new keys are refused until some age out.
 *
 * The policy runs over a synchronous key-value store: a Map on Node, a Durable Object's storage on
 * Workers (worker/auth/login-throttle-object.ts), so the limits hold across isolates there.
 */

export interface AttemptState {
  failures: number;
  lastFailureAt: number;
}

export interface AttemptKey {
  /** The sign-in name as typed (normalized), whether or not such an account exists. */
  account: string;
  address: string;
}

export interface ThrottleVerdict {
  /** Milliseconds until the next attempt is heard; 0 when it may go ahead. */
  waitMs: number;
  /** Set when this failure started a delay (recorded in the audit log as a lockout). */
  startedDelay?: boolean;
}

/** What both runtimes implement (the Workers one over RPC, so it is async). */
export interface LoginThrottle {
  check(key: AttemptKey, now: number): Promise<ThrottleVerdict>;
  failed(key: AttemptKey, now: number): Promise<ThrottleVerdict>;
  succeeded(key: AttemptKey): Promise<void>;
}

export interface ThrottlePolicy {
  /** Failures per account and address before delays start. */
  freePerAccount: number;
  /** Failures per address over all accounts before delays start. */
  freePerAddress: number;
  firstDelayMs: number;
  maxDelayMs: number;
  /** A key whose last failure is this old is forgotten. */
  forgetAfterMs: number;
  /** Most keys the book holds; past it, new keys are refused (never an old one dropped). */
  maxKeys: number;
}

export const DEFAULT_POLICY: ThrottlePolicy = {
  freePerAccount: 5,
  freePerAddress: 20,
  firstDelayMs: 1000,
  maxDelayMs: 15 * 60 * 1000,
  forgetAfterMs: 60 * 60 * 1000,
  maxKeys: 100_000,
};

export interface ThrottleStore {
  get(key: string): AttemptState | undefined;
  put(key: string, state: AttemptState): void;
  delete(key: string): void;
  size(): number;
  entries(): Iterable<[string, AttemptState]>;
}

const accountKey = (k: AttemptKey) => `acct:${k.address}\n${k.account}`;
const addressKey = (k: AttemptKey) => `addr:${k.address}`;

/** The wait a state imposes at `now`, given the failures it may have for free. */
export function waitFor(state: AttemptState | undefined, free: number, policy: ThrottlePolicy, now: number): number {
  if (!state || state.failures < free) return 0;
  const delay = Math.min(policy.firstDelayMs * 2 ** (state.failures - free), policy.maxDelayMs);
  return Math.max(0, state.lastFailureAt + delay - now);
}

/** The throttle's rules over any store. */
export class ThrottleBook {
  /**
   * Attempts let through and not yet answered, per key: counted as failures until they are, so a
   * burst of parallel guesses cannot all pass the check before the first one is counted. In memory:
   * one process on Node, one Durable Object per address on Workers.
   */
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly store: ThrottleStore,
    private readonly policy: ThrottlePolicy = DEFAULT_POLICY,
  ) {}

  /** Whether an attempt may go ahead now; one that may is held as in flight until failed() or succeeded(). */
  check(key: AttemptKey, now: number): ThrottleVerdict {
    const waitMs = this.waitNow(key, now);
    if (waitMs > 0) return { waitMs };
    // Two new keys must fit, else the book is full of live failures: refuse rather than forget one.
    const fresh = [accountKey(key), addressKey(key)].filter((k) => !this.store.get(k)).length;
    if (fresh > 0 && !this.makeRoom(fresh, now)) return { waitMs: this.policy.firstDelayMs };
    for (const k of [accountKey(key), addressKey(key)]) this.inFlight.set(k, (this.inFlight.get(k) ?? 0) + 1);
    return { waitMs: 0 };
  }

  failed(key: AttemptKey, now: number): ThrottleVerdict {
    this.settle(key);
    const before = this.waitNow(key, now);
    this.bump(accountKey(key), now);
    this.bump(addressKey(key), now);
    const after = this.waitNow(key, now);
    return { waitMs: after, startedDelay: before === 0 && after > 0 };
  }

  /** A right password clears that account's count from that address (not the address's). */
  succeeded(key: AttemptKey): void {
    this.settle(key);
    this.store.delete(accountKey(key));
  }

  private settle(key: AttemptKey): void {
    for (const k of [accountKey(key), addressKey(key)]) {
      const n = (this.inFlight.get(k) ?? 0) - 1;
      if (n > 0) this.inFlight.set(k, n);
      else this.inFlight.delete(k);
    }
  }

  private waitNow(key: AttemptKey, now: number): number {
    return Math.max(this.waitOf(accountKey(key), this.policy.freePerAccount, now), this.waitOf(addressKey(key), this.policy.freePerAddress, now));
  }

  /** The wait a key imposes, its attempts in flight counted as failures made now. */
  private waitOf(key: string, free: number, now: number): number {
    let state = this.store.get(key);
    if (state && this.expired(state, now)) {
      this.store.delete(key);
      state = undefined;
    }
    const pending = this.inFlight.get(key) ?? 0;
    if (pending > 0) state = { failures: (state?.failures ?? 0) + pending, lastFailureAt: now };
    return waitFor(state, free, this.policy, now);
  }

  private bump(key: string, now: number) {
    const state = this.store.get(key);
    const failures = state && !this.expired(state, now) ? state.failures + 1 : 1;
    this.store.put(key, { failures, lastFailureAt: now });
  }

  private expired(state: AttemptState, now: number): boolean {
    return now - state.lastFailureAt >= this.policy.forgetAfterMs;
  }

  /**
   * Frees room for `needed` new keys: first by forgetting aged-out keys, then by dropping keys that
   * delay nobody now, fewest failures first (a tenth of the book at once, so a full book is not
   * scanned per attempt). A key that is delaying someone is never dropped; false when none fits.
   */
  private makeRoom(needed: number, now: number): boolean {
    if (this.store.size() + needed <= this.policy.maxKeys) return true;
    this.sweep(now);
    const target = Math.min(this.policy.maxKeys - needed, Math.floor(this.policy.maxKeys * 0.9));
    if (this.store.size() > target) {
      const idle = [...this.store.entries()].filter(([key, state]) => waitFor(state, this.freeFor(key), this.policy, now) === 0);
      idle.sort((a, b) => a[1].failures - b[1].failures || a[1].lastFailureAt - b[1].lastFailureAt);
      for (const [key] of idle.slice(0, this.store.size() - target)) this.store.delete(key);
    }
    return this.store.size() + needed <= this.policy.maxKeys;
  }

  private freeFor(key: string): number {
    return key.startsWith('addr:') ? this.policy.freePerAddress : this.policy.freePerAccount;
  }

  /** Drops every forgotten key; returns when the next one will be forgotten (Infinity: none left). */
  sweep(now: number): number {
    let next = Infinity;
    for (const [key, state] of [...this.store.entries()]) {
      if (this.expired(state, now)) this.store.delete(key);
      else next = Math.min(next, state.lastFailureAt + this.policy.forgetAfterMs);
    }
    return next;
  }
}

export function mapStore(map = new Map<string, AttemptState>()): ThrottleStore {
  return {
    get: (k) => map.get(k),
    put: (k, v) => void map.set(k, v),
    delete: (k) => void map.delete(k),
    size: () => map.size,
    entries: () => map.entries(),
  };
}

/** The in-process throttle (Node: one process serves every request). */
export function memoryThrottle(policy: ThrottlePolicy = DEFAULT_POLICY): LoginThrottle {
  const book = new ThrottleBook(mapStore(), policy);
  return {
    check: async (key, now) => book.check(key, now),
    failed: async (key, now) => book.failed(key, now),
    succeeded: async (key) => book.succeeded(key),
  };
}
