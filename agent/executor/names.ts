/**
 * The app's names on the LAN (the HDA's dnsmasq, or `<app>.local` over mDNS): published with its
 * vhost, removed with it. A daemon that is not running, or a name that is not visible yet, is a
 * warning with the reason: the app still answers by address, and the daemon is never started or
 * restarted by the agent.
 */
import type { ExecutorDeps, StepReport } from './types';

/** How long a name just written may take to show (dnsmasq re-reads on inotify; avahi probes the network). */
const SETTLE_WINDOW_MS = 5000;

/** `names[0]` is the app's <identifier>.<domain>; mDNS publishes the `.local` ones among them. */
export async function publishNames(deps: ExecutorDeps, report: StepReport, identifier: string, names: string[], signal?: AbortSignal): Promise<string> {
  const lan = deps.names;
  if (!lan) return 'names not published (off on this HDA)';
  let change: string;
  try {
    change = lan.set(identifier, names);
  } catch (e) {
    report.warn(`the app's names were not published: ${(e as Error).message}`, { names: 'failed' });
    return 'names not published';
  }
  const daemon = lan.daemonState();
  if (!daemon.running) {
    report.warn(`${daemon.reason}: ${names[0]} will not resolve on the LAN until it runs`, { names: `${lan.mode}-down` });
    return `names ${change} in ${lan.where}; ${lan.mode === 'mdns' ? 'avahi-daemon' : 'dnsmasq'} not running`;
  }
  const health = await lan.nameHealth(identifier, names[0], SETTLE_WINDOW_MS, signal);
  if (!health.resolves) {
    report.warn(health.problem ?? `${health.name} is not resolving yet`, { names: health.mdnsState ?? 'unresolved', name: health.name });
    return `names ${change} in ${lan.where}; ${health.name} not resolving yet`;
  }
  return lan.mode === 'mdns' ? `${health.name} published over mDNS (${lan.address})` : `${health.name} resolves to ${lan.address}`;
}

export function unpublishNames(deps: ExecutorDeps, identifier: string): string {
  if (!deps.names) return '';
  try {
    return deps.names.remove(identifier) === 'removed' ? '; names removed' : '';
  } catch (e) {
    return `; names not removed: ${(e as Error).message}`;
  }
}
