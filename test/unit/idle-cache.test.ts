/** The idle poll's memory: an answer read before work was queued is never remembered after it. */
import { describe, expect, it } from 'vitest';
import { IdleCache } from '../../worker/services/idle-cache';

describe('IdleCache', () => {
  it('ignores an idle answer read before a drop (a task queued while the poll was reading)', () => {
    const cache = new IdleCache(60_000);
    const readAt = cache.version; // the poll reads the database: no task yet
    cache.delete('hda-1'); // meanwhile a task is queued and the HDA's waker key notified
    cache.set('hda-1', 'token', null, 0, null, readAt); // the poll then tries to remember "idle"
    expect(cache.get('hda-1', 1)).toBeUndefined();
    cache.set('hda-1', 'token', null, 0, null, cache.version);
    expect(cache.get('hda-1', 1)?.token).toBe('token');
  });
});
