/**
 * Per-app CPU and memory, sampled at every heartbeat and averaged over fixed 5-minute windows
 * (METRICS_WINDOW_S, aligned to the clock). A window closes when a sample of a later window arrives
 * or its time is over; closed windows wait in an outbox until a heartbeat carrying them is
 * accepted, so an unreachable control plane loses nothing (up to a bound: the oldest go first).
 */
import type { AppMetricSample, AppStatus } from '../core/protocol';
import { METRICS_PER_HEARTBEAT_MAX, METRICS_WINDOW_S } from '../core/protocol/limits';

interface Open {
  start: number;
  cpuSum: number;
  cpuMax: number;
  memSum: number;
  memMax: number;
  n: number;
}

/** Most closed windows kept while the control plane is away (a day of 20 apps). */
export const MAX_OUTBOX = 20 * 288;

export class MetricsWindows {
  private readonly open = new Map<string, Open>();
  private outbox: AppMetricSample[] = [];

  constructor(
    private readonly windowS = METRICS_WINDOW_S,
    private readonly maxOutbox = MAX_OUTBOX,
  ) {}

  private windowStart(ms: number): number {
    const w = this.windowS * 1000;
    return ms - (ms % w);
  }

  private close(identifier: string, o: Open): void {
    this.outbox.push({
      identifier,
      at: new Date(o.start).toISOString(),
      cpu_avg: round(o.cpuSum / o.n),
      cpu_max: round(o.cpuMax),
      memory_avg: Math.round(o.memSum / o.n),
      memory_max: Math.round(o.memMax),
      samples: o.n,
    });
    if (this.outbox.length > this.maxOutbox) this.outbox.splice(0, this.outbox.length - this.maxOutbox);
  }

  /** Adds one sample per app that has numbers (a stopped app has none). */
  add(apps: AppStatus[], nowMs: number): void {
    const start = this.windowStart(nowMs);
    for (const a of apps) {
      if (typeof a.cpu_percent !== 'number' || typeof a.memory_bytes !== 'number') continue;
      const cpu = Math.max(0, a.cpu_percent);
      const mem = Math.max(0, a.memory_bytes);
      let o = this.open.get(a.identifier);
      if (o && o.start !== start) {
        this.close(a.identifier, o);
        o = undefined;
      }
      if (!o) {
        o = { start, cpuSum: 0, cpuMax: 0, memSum: 0, memMax: 0, n: 0 };
        this.open.set(a.identifier, o);
      }
      o.cpuSum += cpu;
      o.cpuMax = Math.max(o.cpuMax, cpu);
      o.memSum += mem;
      o.memMax = Math.max(o.memMax, mem);
      o.n++;
    }
    this.closeDue(nowMs);
  }

  /** Closes the windows whose time is over (an app that stopped sending samples). */
  closeDue(nowMs: number): void {
    for (const [id, o] of this.open) {
      if (o.start + this.windowS * 1000 <= nowMs) {
        this.close(id, o);
        this.open.delete(id);
      }
    }
  }

  /** The closed windows a heartbeat should carry now, oldest first. */
  pending(): AppMetricSample[] {
    return this.outbox.slice(0, METRICS_PER_HEARTBEAT_MAX);
  }

  /** The control plane has these: forget them. */
  sent(batch: AppMetricSample[]): void {
    const gone = new Set(batch);
    this.outbox = this.outbox.filter((s) => !gone.has(s));
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
