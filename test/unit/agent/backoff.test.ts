import { describe, expect, it } from 'vitest';
import { Backoff, sleep } from '../../../agent/backoff';

describe('backoff', () => {
  it('grows exponentially up to the cap, with the jitter inside [base, ceiling]', () => {
    const top = new Backoff({ baseMs: 100, capMs: 1000, random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map(() => top.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    const bottom = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0 });
    expect([1, 2, 3].map(() => bottom.next())).toEqual([100, 100, 100]);
  });

  it('spreads agents out: random delays differ and stay within bounds', () => {
    const delays = Array.from({ length: 50 }, () => {
      const b = new Backoff({ baseMs: 1000, capMs: 60_000 });
      for (let i = 0; i < 5; i++) b.next();
      return b.next();
    });
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(32_000);
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('starts over after a success', () => {
    const b = new Backoff({ baseMs: 100, capMs: 10_000, random: () => 1 });
    b.next();
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('sleep ends early when aborted', async () => {
    const ac = new AbortController();
    const t = Date.now();
    setTimeout(() => ac.abort(), 20);
    await sleep(5000, ac.signal);
    expect(Date.now() - t).toBeLessThan(1000);
  });
});
