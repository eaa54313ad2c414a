/** The sign-in throttle's book on its own: doubling delays up to a cap, forgetting by age, and a full book. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, mapStore, ThrottleBook, type ThrottlePolicy } from '../../worker/auth/login-throttle';

const policy: ThrottlePolicy = {
  ...DEFAULT_POLICY,
  freePerAccount: 1,
  freePerAddress: 1,
  firstDelayMs: 1000,
  maxDelayMs: 8000,
  forgetAfterMs: 60_000,
  maxKeys: 6,
};
const key = (n: number) => ({ account: `user${n}@example.com`, address: `192.0.2.${n}` });

describe('ThrottleBook', () => {
  it('doubles the wait per failure up to the cap', () => {
    const book = new ThrottleBook(mapStore(), { ...policy, maxKeys: 100 });
    const waits = Array.from({ length: 6 }, () => book.failed(key(1), 0).waitMs);
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('forgets an address an hour (forgetAfterMs) after its last failure', () => {
    const book = new ThrottleBook(mapStore(), { ...policy, maxKeys: 100 });
    for (let i = 0; i < 3; i++) book.failed(key(1), 0);
    expect(book.check(key(1), 59_999).waitMs).toBe(0); // the 4 s delay is over, the count is not
    expect(book.failed(key(1), 59_999).waitMs).toBe(8000);
    expect(book.failed(key(1), 59_999 + 60_000).waitMs).toBe(1000); // forgotten: counted from one again
  });

  it('when full of keys that are delaying someone, refuses new keys instead of dropping one', () => {
    const book = new ThrottleBook(mapStore(), policy);
    for (const n of [1, 2, 3]) book.failed(key(n), 0); // six keys, each now delaying
    expect(book.check(key(4), 10).waitMs).toBeGreaterThan(0);
    expect(book.check(key(1), 10).waitMs).toBeGreaterThan(0); // still counted
    // Once their delays are over they may make room, and the new address is heard.
    expect(book.check(key(4), 5000).waitMs).toBe(0);
  });
});
