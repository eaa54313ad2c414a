/**
 * Wakes long-polls and live event streams when something they wait for happens.
 *
 * Within one process (Node) a notify reaches every waiter at once. On Workers, isolates share no
 * memory, so a waiter also re-checks the database every `recheckMs`: a wake-up from another isolate
 * arrives within that bound without a query per millisecond.
 */
export interface Waker {
  /** Resolves true when notified, false when `timeoutMs` (or the next re-check) passes or `signal` aborts. */
  wait(key: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  notify(key: string): void;
}

export function createWaker(recheckMs = 0): Waker {
  const waiters = new Map<string, Set<(woken: boolean) => void>>();

  return {
    wait(key, timeoutMs, signal) {
      const limit = recheckMs > 0 ? Math.min(timeoutMs, recheckMs) : timeoutMs;
      return new Promise<boolean>((resolve) => {
        if (signal?.aborted || limit <= 0) return resolve(false);
        let set = waiters.get(key);
        if (!set) {
          set = new Set();
          waiters.set(key, set);
        }
        const done = (woken: boolean) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          set!.delete(done);
          if (set!.size === 0 && waiters.get(key) === set) waiters.delete(key);
          resolve(woken);
        };
        const onAbort = () => done(false);
        const timer = setTimeout(() => done(false), limit);
        signal?.addEventListener('abort', onAbort, { once: true });
        set.add(done);
      });
    },
    notify(key) {
      const set = waiters.get(key);
      if (!set) return;
      for (const done of [...set]) done(true);
    },
  };
}

export const HDA_KEY_PREFIX = 'hda:';
export const hdaKey = (hdaId: string) => `${HDA_KEY_PREFIX}${hdaId}`;
export const taskKey = (taskId: string) => `task:${taskId}`;
export const batchKey = (batchId: string) => `batch:${batchId}`;
