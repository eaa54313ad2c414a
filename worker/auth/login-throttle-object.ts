/**
 * The sign-in throttle on Workers: one Durable Object per client address (SQLite storage, its
 * synchronous KV API) runs the same ThrottleBook as Node, so every isolate sees the same counts.
 * An alarm drops forgotten keys, so an address's object empties itself once it goes quiet.
 */
import { DurableObject } from 'cloudflare:workers';
import { ThrottleBook, type AttemptKey, type AttemptState, type LoginThrottle, type ThrottleStore, type ThrottleVerdict } from './login-throttle';

function kvStore(kv: SyncKvStorage): ThrottleStore {
  return {
    get: (k) => kv.get<AttemptState>(k),
    put: (k, v) => kv.put(k, v),
    delete: (k) => void kv.delete(k),
    size: () => [...kv.list()].length,
    entries: () => kv.list<AttemptState>(),
  };
}

export class LoginThrottleObject extends DurableObject<unknown> {
  private readonly book: ThrottleBook;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    this.book = new ThrottleBook(kvStore(ctx.storage.kv));
  }

  check(key: AttemptKey, now: number): ThrottleVerdict {
    return this.book.check(key, now);
  }

  async failed(key: AttemptKey, now: number): Promise<ThrottleVerdict> {
    const verdict = this.book.failed(key, now);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + 60 * 60 * 1000);
    return verdict;
  }

  succeeded(key: AttemptKey): void {
    this.book.succeeded(key);
  }

  async alarm(): Promise<void> {
    const next = this.book.sweep(Date.now());
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(next);
  }
}

/** The LoginThrottle the Workers entry hands the app: each address's object, reached over RPC. */
export function durableThrottle(ns: DurableObjectNamespace<LoginThrottleObject>): LoginThrottle {
  const objectFor = (key: AttemptKey) => ns.get(ns.idFromName(key.address));
  return {
    check: (key, now) => objectFor(key).check(key, now),
    failed: (key, now) => objectFor(key).failed(key, now),
    succeeded: (key) => objectFor(key).succeeded(key),
  };
}
