/**
 * Heartbeats: host facts and the state of every app this agent installed, every interval and at once
 * (debounced) after a task changed something. A failed heartbeat is only logged; the next one follows.
 */
import type { AppStatus, HeartbeatInput } from '../core/protocol';
import type { ProtocolClient } from './client';
import { appStatus } from './docker/containers';
import type { DockerProvider } from './docker/client';
import type { InstallRegistry } from './installs';
import type { Logger } from './log';
import type { HostFacts } from '../core/protocol';

export interface HeartbeatOptions {
  client: ProtocolClient;
  docker: DockerProvider;
  installs: InstallRegistry;
  facts: () => Promise<HostFacts>;
  intervalS: number;
  log: Logger;
}

export async function collectAppStates(docker: DockerProvider, installs: InstallRegistry): Promise<AppStatus[]> {
  const records = installs.list();
  if (records.length === 0) return [];
  try {
    const d = await docker.docker();
    return await Promise.all(records.map((r) => appStatus(d, r.identifier).catch(() => ({ identifier: r.identifier, state: 'unknown' as const }))));
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
  sent = 0;

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
        const input: HeartbeatInput = { facts: await this.o.facts(), apps: await collectAppStates(this.o.docker, this.o.installs) };
        await this.o.client.heartbeat(input);
        this.sent++;
        this.o.log.debug('heartbeat sent', { apps: input.apps?.length ?? 0 });
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

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = this.soon = null;
  }
}
