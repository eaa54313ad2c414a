/**
 * Heartbeats: host facts and the state of every app this agent installed, every interval and at once
 * (debounced) after a task changed something, with the closed 5-minute usage windows (metrics.ts).
 * A failed heartbeat is only logged; the next one follows and carries what this one could not.
 */
import type { AppStatus, HeartbeatInput } from '../core/protocol';
import type { ProtocolClient } from './client';
import { appStatus } from './docker/containers';
import type { DockerProvider } from './docker/client';
import type { InstallRegistry } from './installs';
import type { Logger } from './log';
import type { MetricsWindows } from './metrics';
import { liveSlot } from './slots';
import type { HostFacts, LanHealth } from '../core/protocol';

export interface HeartbeatOptions {
  client: ProtocolClient;
  docker: DockerProvider;
  installs: InstallRegistry;
  facts: () => Promise<HostFacts>;
  /** Names and certificates (lan-health.ts); left out when it cannot be collected. */
  lan?: () => Promise<LanHealth>;
  intervalS: number;
  log: Logger;
  /** The agent's namespace (compose project prefix), when several agents share a host. */
  namespace?: string;
  /** Per-app usage averaged over 5-minute windows; closed windows ride along with heartbeats. */
  metrics?: MetricsWindows;
  now?: () => number;
  /**
   * While true (the HDA channel is open, so the control plane knows the HDA is there), a beat whose
   * facts and app states are unchanged is sent only every `quietMaxS` (default 900), carrying the
   * usage windows collected meanwhile.
   */
  quietWhile?: () => boolean;
  quietMaxS?: number;
}

/** Each install's state, from the compose project that serves it now, with the port Apache proxies to. */
export async function collectAppStates(docker: DockerProvider, installs: InstallRegistry, namespace = ''): Promise<AppStatus[]> {
  const records = installs.list();
  if (records.length === 0) return [];
  try {
    const d = await docker.docker();
    return await Promise.all(
      records.map(async (r) => {
        const live = liveSlot(r, namespace, r.identifier, r.host_port);
        const status = await appStatus(d, r.identifier, live.project).catch(() => ({ identifier: r.identifier, state: 'unknown' as const }));
        return { ...status, live_port: live.port };
      }),
    );
  } catch (e) {
    docker.reset(e);
    return records.map((r) => ({ identifier: r.identifier, state: 'unknown' as const }));
  }
}

export class Heartbeat {
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private lastSent: { key: string; at: number } | null = null;
  sent = 0;
  skipped = 0;

  constructor(private readonly o: HeartbeatOptions) {}

  start(): void {
    this.stopped = false;
    this.trigger(0);
  }

  /** Sends a heartbeat soon; calls within the debounce window share one. */
  trigger(delayMs = 500): void {
    if (this.stopped || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.beat();
    }, delayMs);
    this.soon.unref();
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.beat(), this.o.intervalS * 1000);
    this.timer.unref();
  }

  async beat(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        const apps = await collectAppStates(this.o.docker, this.o.installs, this.o.namespace);
        const metrics = this.o.metrics;
        metrics?.add(apps, (this.o.now ?? Date.now)());
        const windows = metrics?.pending() ?? [];
        const lan = await this.o.lan?.().catch(() => undefined);
        const input: HeartbeatInput = { facts: await this.o.facts(), apps, ...(windows.length ? { metrics: windows } : {}), ...(lan ? { lan } : {}) };
        const key = stateKey(input);
        const now = (this.o.now ?? Date.now)();
        if (this.isQuiet(key, now)) {
          this.skipped++;
          return;
        }
        await this.o.client.heartbeat(input);
        this.lastSent = { key, at: now };
        // Accepted: the control plane holds these windows. On failure they stay for the next beat.
        metrics?.sent(windows);
        this.sent++;
        this.o.log.debug('heartbeat sent', { apps: input.apps?.length ?? 0, metrics: windows.length });
      } catch (e) {
        this.o.log.warn('heartbeat failed; the next one follows', { reason: (e as Error).message });
      } finally {
        this.running = null;
        this.schedule();
        if (this.again) {
          this.again = false;
          this.trigger();
        }
      }
    })();
    return this.running;
  }

  /** Nothing new to say while the channel vouches for the HDA. */
  private isQuiet(key: string, now: number): boolean {
    if (!this.o.quietWhile?.() || !this.lastSent || this.lastSent.key !== key) return false;
    return now - this.lastSent.at < (this.o.quietMaxS ?? 900) * 1000;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = this.soon = null;
  }
}

/** What makes a beat news: facts and app states, not the CPU and memory figures that move every time. */
function stateKey(input: HeartbeatInput): string {
  return JSON.stringify([input.facts, input.apps?.map(({ cpu_percent: _c, memory_bytes: _m, ...rest }) => rest), input.lan]);
}
