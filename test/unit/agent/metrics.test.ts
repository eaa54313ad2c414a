import { describe, expect, it } from 'vitest';
import { MetricsWindows } from '../../../agent/metrics';
import { METRICS_WINDOW_S } from '../../../core/protocol';

const W = METRICS_WINDOW_S * 1000;
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0); // a window boundary
const app = (identifier: string, cpu: number | null, mem: number | null) => ({ identifier, state: 'running' as const, cpu_percent: cpu, memory_bytes: mem });

describe('metrics windows', () => {
  it('averages the samples of one 5-minute window and sends it only once the window is over', () => {
    const m = new MetricsWindows();
    m.add([app('radarr', 10, 100)], T0 + 1_000);
    m.add([app('radarr', 30, 300)], T0 + 31_000);
    m.add([app('radarr', 20, 200)], T0 + W - 1);
    expect(m.pending()).toEqual([]);
    m.add([app('radarr', 90, 900)], T0 + W + 5); // first sample of the next window closes the first
    expect(m.pending()).toEqual([
      { identifier: 'radarr', at: new Date(T0).toISOString(), cpu_avg: 20, cpu_max: 30, memory_avg: 200, memory_max: 300, samples: 3 },
    ]);
  });

  it('keeps apps apart, skips apps without numbers, and closes a window whose app stopped sending', () => {
    const m = new MetricsWindows();
    m.add([app('a', 1, 10), app('b', 5, 50), app('stopped', null, null)], T0 + 10);
    m.add([app('a', 3, 30)], T0 + 20);
    // b stops reporting; time moves past the window.
    m.closeDue(T0 + W);
    const out = m.pending();
    expect(out.map((s) => s.identifier).sort()).toEqual(['a', 'b']);
    expect(out.find((s) => s.identifier === 'a')).toMatchObject({ cpu_avg: 2, samples: 2 });
    expect(out.find((s) => s.identifier === 'b')).toMatchObject({ cpu_avg: 5, memory_max: 50, samples: 1 });
  });

  it('keeps windows until the control plane has them, and bounds what it keeps', () => {
    const m = new MetricsWindows(METRICS_WINDOW_S, 3);
    for (let i = 0; i < 6; i++) m.add([app('a', i, i)], T0 + i * W);
    m.closeDue(T0 + 6 * W);
    // Six windows closed, three kept: the newest.
    const held = m.pending();
    expect(held.map((s) => s.cpu_avg)).toEqual([3, 4, 5]);
    // A failed heartbeat does not call sent(): they stay.
    expect(m.pending()).toEqual(held);
    m.sent(held.slice(0, 2));
    expect(m.pending().map((s) => s.cpu_avg)).toEqual([5]);
  });
});
