import { describe, expect, it } from 'vitest';
import { monotonicClock } from '../../worker/deps';

describe('monotonicClock', () => {
  it('reads the source without stepping ahead of it, however often it is read', () => {
    let t = 1_000;
    const clock = monotonicClock(() => t);
    for (let i = 0; i < 10_000; i++) expect(clock.now()).toBe(1_000);
    t = 2_000;
    expect(clock.now()).toBe(2_000);
  });

  it('gives strictly increasing stamps within one millisecond, and now() never goes behind them', () => {
    let t = 5_000;
    const clock = monotonicClock(() => t);
    expect([clock.stamp(), clock.stamp(), clock.stamp()]).toEqual([5_000, 5_001, 5_002]);
    expect(clock.now()).toBe(5_002);
    t = 4_000; // the source stepped back (NTP): neither goes back with it
    expect(clock.now()).toBe(5_002);
    expect(clock.stamp()).toBe(5_003);
    t = 9_000;
    expect(clock.stamp()).toBe(9_000);
  });
});
