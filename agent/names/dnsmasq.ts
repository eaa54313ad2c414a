/**
 * The apps' names on the LAN through the HDA's dnsmasq, as Amahi did: one hosts file the agent owns
 * in a folder dnsmasq watches (`hostsdir=`), rewritten atomically on every install, rename and
 * uninstall. dnsmasq re-reads a changed file by itself (inotify), so it is never restarted or
 * signalled; one that is not running is reported, never started.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import { hostnameProblem } from '../../core/catalog/placeholders';
import { sleep } from '../backoff';
import { writeFileAtomic } from '../fs-atomic';
import { LanNamesError, pidFileState, type DaemonState, type NameHealth, type NamesChange, type NamesProvider } from './provider';

export { LanNamesError, type NamesChange } from './provider';

export interface LanNamesOptions {
  /** The folder dnsmasq reads with `hostsdir=` (world-readable: dnsmasq reads it as its own user). */
  dir: string;
  /** The HDA's LAN address every app name points to (Apache answers there). */
  address: string;
  /** Where the HDA's dnsmasq answers queries: the agent checks its names resolve there. */
  server: string;
  /** dnsmasq's pid file: running or not is reported. */
  pidFile: string;
  namespace?: string;
}

const MARK = '# hda-app ';

export class LanNames implements NamesProvider {
  readonly mode = 'dnsmasq';
  readonly file: string;

  constructor(readonly o: LanNamesOptions) {
    if (!isIPv4(o.address)) throw new LanNamesError(`the address app names point to must be an IPv4 address, got ${JSON.stringify(o.address)}`);
    if (o.namespace && !/^[a-z0-9]{1,20}$/.test(o.namespace)) throw new LanNamesError('namespace must be lowercase letters or digits');
    this.file = join(o.dir, o.namespace ? `hda-apps-${o.namespace}` : 'hda-apps');
  }

  get address(): string {
    return this.o.address;
  }

  get where(): string {
    return this.file;
  }

  extraNames(): string[] {
    return [];
  }

  /** The hosts file outlives the agent: nothing to start or stop. */
  start(): void {}

  async close(): Promise<void> {}

  /** identifier -> names, from the file (the file is the only record). */
  records(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    if (!existsSync(this.file)) return out;
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      const at = line.indexOf(MARK);
      if (at < 0) continue;
      const names = line.slice(0, at).trim().split(/\s+/).slice(1);
      out.set(line.slice(at + MARK.length).trim(), names);
    }
    return out;
  }

  private write(records: Map<string, string[]>): void {
    mkdirSync(this.o.dir, { recursive: true, mode: 0o755 });
    const lines = [...records].sort(([a], [b]) => a.localeCompare(b)).map(([id, names]) => `${this.o.address} ${names.join(' ')} ${MARK}${id}`);
    // A dotted temp name: dnsmasq's inotify skips dotfiles and reads the file once it is renamed in.
    writeFileAtomic(this.file, `# Written by hda-agent: the names of this HDA's apps. Rewritten on every change.\n${lines.join('\n')}\n`, 0o644);
  }

  /** Publishes the app's names (checked as DNS names first; nothing is written when one is not). */
  set(identifier: string, names: string[]): NamesChange {
    for (const n of [identifier, ...names]) {
      const p = hostnameProblem(n);
      if (p) throw new LanNamesError(`${JSON.stringify(n).slice(0, 80)} cannot be a DNS name: it ${p}`);
    }
    const records = this.records();
    const before = records.get(identifier);
    if (before && before.join(' ') === names.join(' ') && this.addressIsCurrent()) return 'unchanged';
    records.set(identifier, names);
    this.write(records);
    return before ? 'updated' : 'added';
  }

  remove(identifier: string): NamesChange {
    const records = this.records();
    if (!records.delete(identifier)) return 'absent';
    this.write(records);
    return 'removed';
  }

  private addressIsCurrent(): boolean {
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((l) => l.includes(MARK))
      .every((l) => l.startsWith(`${this.o.address} `));
  }

  /** Whether the HDA's dnsmasq runs (its pid file names a live process). */
  daemonState(): DaemonState {
    return pidFileState(this.o.pidFile, 'dnsmasq');
  }

  /** The name resolved for real at the HDA's dnsmasq (it re-reads a changed file on inotify: `waitMs` allows for that). */
  async nameHealth(_identifier: string, fqdn: string, waitMs = 0, signal?: AbortSignal): Promise<NameHealth> {
    const deadline = Date.now() + waitMs;
    let last = await this.lookup(fqdn);
    while ('error' in last && Date.now() < deadline && !signal?.aborted) {
      await sleep(200, signal);
      last = await this.lookup(fqdn);
    }
    if ('error' in last) return { name: fqdn, resolves: false, problem: last.error };
    if (last.address !== this.o.address)
      return { name: fqdn, resolves: false, problem: `${fqdn} resolves to ${last.address} at ${this.o.server}, not to this HDA (${this.o.address})` };
    return { name: fqdn, resolves: true };
  }

  /** The address `name` resolves to at the HDA's dnsmasq, or the reason it does not. */
  async lookup(name: string, timeoutMs = 2000): Promise<{ address: string } | { error: string }> {
    const r = new Resolver({ timeout: timeoutMs, tries: 1 });
    r.setServers([this.o.server]);
    try {
      const [address] = await r.resolve4(name);
      return { address };
    } catch (e) {
      return { error: `${name} does not resolve at ${this.o.server}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
  }
}
