/**
 * What the agent asks of a names provider (the HDA's dnsmasq, or mDNS through avahi): publish an
 * app's names, take them away, say whether the daemon behind it runs and how each app's name is doing.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { MdnsState } from '../../core/protocol/lan-modes';

export type NamesChange = 'added' | 'updated' | 'unchanged' | 'removed' | 'absent';

export type DaemonState = { running: true; pid: number } | { running: false; reason: string };

/** How one app's name is doing on the LAN, for the heartbeat and the install's report. */
export interface NameHealth {
  /** The name a device on the LAN uses. */
  name: string;
  resolves: boolean;
  problem?: string;
  mdnsState?: MdnsState;
}

export interface NamesProvider {
  readonly mode: 'dnsmasq' | 'mdns';
  /** The HDA's LAN address every app name points to. */
  readonly address: string;
  /** Where the names are kept, in words (the hosts file, or avahi). */
  readonly where: string;
  /** The names this provider adds to an app's own (its vhost aliases and certificate names): mDNS `<label>.local`. */
  extraNames(identifier: string, hostname: string | undefined): string[];
  /** Agent start: publish what was published before (mDNS publishers live with the agent). */
  start(): void;
  set(identifier: string, names: string[]): NamesChange;
  remove(identifier: string): NamesChange;
  daemonState(): DaemonState;
  /** The app's name as the LAN sees it; waits up to `waitMs` for a name just published to settle. */
  nameHealth(identifier: string, fqdn: string, waitMs?: number, signal?: AbortSignal): Promise<NameHealth>;
  /** Agent exit: stop whatever the provider runs (mDNS publishers). */
  close(): Promise<void>;
}

export class LanNamesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LanNamesError';
  }
}

/** Whether the daemon whose pid file this is runs (the file names a live process). */
export function pidFileState(pidFile: string, daemon: string): DaemonState {
  if (!existsSync(pidFile)) return { running: false, reason: `${daemon} is not running (no ${pidFile})` };
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return { running: false, reason: `${pidFile} holds no process id` };
  try {
    process.kill(pid, 0);
    return { running: true, pid };
  } catch {
    return { running: false, reason: `${daemon} is not running (process ${pid} of ${pidFile} is gone)` };
  }
}
