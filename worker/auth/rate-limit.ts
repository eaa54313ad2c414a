/**
 * A fixed-window limiter for login attempts, per client and email. It lives in the process (or the
 * Workers isolate): enough to make password guessing slow; a shared limiter would need a store.
 */
export function createLimiter(opts: { max: number; windowMs: number; maxKeys?: number }) {
  const hits = new Map<string, { count: number; resetAt: number }>();
  const maxKeys = opts.maxKeys ?? 10_000;
  return {
    /** Counts an attempt; returns the seconds to wait when over the limit, else 0. */
    check(key: string, now: number): number {
      let entry = hits.get(key);
      if (!entry || entry.resetAt <= now) {
        if (hits.size >= maxKeys) hits.delete(hits.keys().next().value as string);
        entry = { count: 0, resetAt: now + opts.windowMs };
        hits.set(key, entry);
      }
      entry.count++;
      return entry.count > opts.max ? Math.ceil((entry.resetAt - now) / 1000) : 0;
    },
    reset(key: string) {
      hits.delete(key);
    },
  };
}

export const loginLimiter = createLimiter({ max: 10, windowMs: 15 * 60 * 1000 });
/** Failed logins for one account from all clients together. */
export const accountLimiter = createLimiter({ max: 50, windowMs: 15 * 60 * 1000 });
