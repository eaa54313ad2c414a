/**
 * The apps' names over multicast DNS (`<label>.local`) through the HDA's avahi-daemon, for a home
 * network whose router runs its own DNS. One supervised `avahi-publish` child per name (see
 * avahi-publisher.ts) rather than avahi's D-Bus API: the record lives exactly as long as the child,
 * so a dead agent or a stopped child never leaves a name behind in the daemon, and no D-Bus client
 * library is needed. Which names belong to which app is kept in one file in the agent's state folder,
 * so a restarted agent publishes them again (and first ends publishers a killed agent left behind).
 * A name's health is its publisher's state: "Established" comes after avahi probed the network for
 * the name and nobody else claimed it, which is what a resolve through the same daemon would show.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { hostnameProblem } from '../../core/catalog/placeholders';
import { writeFileAtomic } from '../fs-atomic';
import { AvahiPublisher, type PublisherOptions } from './avahi-publisher';
import { LanNamesError, pidFileState, type DaemonState, type NameHealth, type NamesChange, type NamesProvider } from './provider';

export interface MdnsNamesOptions {
  /** The HDA's LAN address every `.local` name points to. */
  address: string;
  /** The agent's record of which app has which `.local` names (JSON, in the state folder). */
  recordFile: string;
  /** avahi-daemon's pid file: running or not is reported, never changed. */
  pidFile: string;
  publisher?: PublisherOptions;
}

/** The mDNS name of an app: the first label of its hostname (or its identifier) under `.local`. */
export function mdnsName(identifier: string, hostname: string | undefined): string {
  const label = (hostname?.split('.')[0] || identifier).toLowerCase();
  const p = hostnameProblem(label, true);
  if (p) throw new LanNamesError(`${JSON.stringify(label).slice(0, 80)} cannot be an mDNS name: it ${p}`);
  return `${label}.local`;
}

export class MdnsNames implements NamesProvider {
  readonly mode = 'mdns';
  readonly where = 'avahi (multicast DNS)';
  private readonly publishers = new Map<string, AvahiPublisher>();

  constructor(readonly o: MdnsNamesOptions) {
    if (!isIPv4(o.address)) throw new LanNamesError(`the address app names point to must be an IPv4 address, got ${JSON.stringify(o.address)}`);
  }

  get address(): string {
    return this.o.address;
  }

  extraNames(identifier: string, hostname: string | undefined): string[] {
    return [mdnsName(identifier, hostname)];
  }

  /** identifier -> its `.local` names, from the record file. */
  records(): Map<string, string[]> {
    if (!existsSync(this.o.recordFile)) return new Map();
    const raw = JSON.parse(readFileSync(this.o.recordFile, 'utf8')) as Record<string, string[]>;
    return new Map(Object.entries(raw).filter(([, v]) => Array.isArray(v) && v.every((n) => typeof n === 'string')));
  }

  private write(records: Map<string, string[]>): void {
    writeFileAtomic(this.o.recordFile, `${JSON.stringify(Object.fromEntries([...records].sort(([a], [b]) => a.localeCompare(b))), null, 1)}\n`, 0o600);
  }

  /** Agent start: ends publishers of ours a killed agent left running, then publishes every recorded name. */
  start(): void {
    const records = this.records();
    endStrayPublishers(new Set([...records.values()].flat()), this.o.address);
    for (const names of records.values()) for (const n of names) this.publish(n);
  }

  private publish(name: string): AvahiPublisher {
    let p = this.publishers.get(name);
    if (!p) {
      p = new AvahiPublisher(name, this.o.address, this.o.publisher);
      this.publishers.set(name, p);
      p.start();
    }
    return p;
  }

  private withdraw(name: string): void {
    const p = this.publishers.get(name);
    this.publishers.delete(name);
    void p?.stop();
  }

  /** Publishes the app's `.local` names (the others are dnsmasq's business); a name another app holds is refused. */
  set(identifier: string, names: string[]): NamesChange {
    const local = names.filter((n) => n.endsWith('.local'));
    for (const n of local) {
      const p = hostnameProblem(n);
      if (p) throw new LanNamesError(`${JSON.stringify(n).slice(0, 80)} cannot be an mDNS name: it ${p}`);
    }
    const records = this.records();
    for (const [other, theirs] of records) {
      const taken = other !== identifier && local.find((n) => theirs.includes(n));
      if (taken) throw new LanNamesError(`${taken} is already published for the app ${other} on this HDA`);
    }
    const before = records.get(identifier);
    for (const n of before ?? []) if (!local.includes(n)) this.withdraw(n);
    for (const n of local) this.publish(n);
    if (before && before.join(' ') === local.join(' ')) return 'unchanged';
    records.set(identifier, local);
    this.write(records);
    return before ? 'updated' : 'added';
  }

  remove(identifier: string): NamesChange {
    const records = this.records();
    const before = records.get(identifier);
    if (!before) return 'absent';
    for (const n of before) this.withdraw(n);
    records.delete(identifier);
    this.write(records);
    return 'removed';
  }

  daemonState(): DaemonState {
    return pidFileState(this.o.pidFile, 'avahi-daemon');
  }

  /** The publisher's state for the app's first `.local` name, once it settled (up to `waitMs`). */
  async nameHealth(identifier: string, fqdn: string, waitMs = 0, signal?: AbortSignal): Promise<NameHealth> {
    const name = this.records().get(identifier)?.[0];
    if (!name) return { name: fqdn, resolves: false, problem: `no .local name is published for ${identifier}` };
    const p = this.publishers.get(name);
    if (!p) return { name, resolves: false, mdnsState: 'failed', problem: `${name} has no publisher running` };
    const state = await p.settled(waitMs, signal);
    return { name, resolves: state === 'published', mdnsState: state, ...(p.reason && state !== 'published' ? { problem: p.reason } : {}) };
  }

  /** Publisher children by name, for status and tests. */
  publisher(name: string): AvahiPublisher | undefined {
    return this.publishers.get(name);
  }

  async close(): Promise<void> {
    const all = [...this.publishers.values()];
    this.publishers.clear();
    await Promise.all(all.map((p) => p.stop()));
  }
}

/** `avahi-publish -a -R <one of names> <address>` processes (left by an agent that was killed): ended. */
function endStrayPublishers(names: Set<string>, address: string): void {
  if (names.size === 0 || !existsSync('/proc')) return;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!argv[0]?.endsWith('avahi-publish') || argv[1] !== '-a' || argv[2] !== '-R' || !names.has(argv[3]) || argv[4] !== address) continue;
    try {
      process.kill(Number(entry), 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
}
