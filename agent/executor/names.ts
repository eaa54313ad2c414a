/**
 * The app's names in the HDA's dnsmasq: published with its vhost, removed with it. A dnsmasq that
 * is not running, or a name that does not resolve there yet, is a warning with the reason: the app
 * still answers by address, and dnsmasq is never started or restarted by the agent.
 */
import { sleep } from '../backoff';
import type { ExecutorDeps, StepReport } from './types';

/** How long a written name may take to show at dnsmasq (it re-reads the file on inotify). */
const RESOLVE_WINDOW_MS = 5000;

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
  const dns = lan.dnsmasqState();
  if (!dns.running) {
    report.warn(`${dns.reason}: ${names[0]} will not resolve on the LAN until it runs`, { names: 'dnsmasq-down' });
    return `names ${change} in ${lan.file}; dnsmasq not running`;
  }
  const deadline = Date.now() + RESOLVE_WINDOW_MS;
  let last = await lan.lookup(names[0]);
  while ('error' in last && Date.now() < deadline && !signal?.aborted) {
    await sleep(200, signal);
    last = await lan.lookup(names[0]);
  }
  if ('error' in last) {
    report.warn(last.error, { names: 'unresolved' });
    return `names ${change} in ${lan.file}; not resolving yet`;
  }
  if (last.address !== lan.o.address)
    report.warn(`${names[0]} resolves to ${last.address} at ${lan.o.server}, not to this HDA's ${lan.o.address}`, { names: 'elsewhere' });
  return `${names[0]} resolves to ${last.address}`;
}

export function unpublishNames(deps: ExecutorDeps, identifier: string): string {
  if (!deps.names) return '';
  try {
    return deps.names.remove(identifier) === 'removed' ? '; names removed' : '';
  } catch (e) {
    return `; names not removed: ${(e as Error).message}`;
  }
}
