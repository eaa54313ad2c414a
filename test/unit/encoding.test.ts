import { describe, expect, it } from 'vitest';
import { timingSafeEqual, timingSafeEqualText } from '../../worker/auth/encoding';

describe('timingSafeEqualText', () => {
  it('is true only for the same string', () => {
    expect(timingSafeEqualText('abc.def', 'abc.def')).toBe(true);
    expect(timingSafeEqualText('', '')).toBe(true);
    expect(timingSafeEqualText('abc.def', 'abc.deg')).toBe(false);
    expect(timingSafeEqualText('Xbc.def', 'abc.def')).toBe(false);
    expect(timingSafeEqualText('abc', 'abcd')).toBe(false);
    expect(timingSafeEqualText('abcd', 'abc')).toBe(false);
    // Non-ASCII compares by code unit: no two different strings collide.
    expect(timingSafeEqualText('é', 'é')).toBe(true);
    expect(timingSafeEqualText('é', 'e\u0301')).toBe(false);
    expect(timingSafeEqualText('\u0100', '\u0000')).toBe(false);
  });

  it('agrees with the byte comparison on what equals', () => {
    const enc = new TextEncoder();
    const samples = ['a', 'b', 'ab', 'ba', '0f3c', '0f3d', 'zzzz', 'ü', 'u'];
    for (const a of samples) for (const b of samples) expect(timingSafeEqualText(a, b)).toBe(timingSafeEqual(enc.encode(a), enc.encode(b)));
  });
});
