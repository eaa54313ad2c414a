/**
 * A device on the home network, for tests: a network namespace of its own with a veth pair to the
 * host (10.213.N.1 on the host side, .2 inside), whose resolv.conf names the host side (where the
 * test runs the HDA's dnsmasq), and a private dnsmasq bound to that address only. Everything made
 * here is removed by `close()`. `resolveMdns` asks a `.local` name over multicast DNS from inside it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MDNS_RESOLVE = fileURLToPath(new URL('./mdns-resolve.mjs', import.meta.url));
const MDNS_RESPOND = fileURLToPath(new URL('./mdns-respond.mjs', import.meta.url));

export interface Run {
  argv: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

function sh(argv: string[], timeoutMs = 20_000): Run {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: timeoutMs });
  return { argv, code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function must(argv: string[]): void {
  const r = sh(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr.trim()}`);
}

/** Why a LAN client cannot be made here, or null: root, iproute2 with netns, dnsmasq. */
export function lanClientProblem(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (ip netns)';
  if (sh(['ip', '-V']).code !== 0) return 'iproute2 (ip) not installed';
  if (sh(['dnsmasq', '--version']).code !== 0) return 'dnsmasq not installed';
  return null;
}

export class LanClient {
  readonly ns = `hda-lan-${randomBytes(3).toString('hex')}`;
  private readonly tag = randomBytes(2).toString('hex');
  readonly hostIf: string;
  readonly hostAddress: string;
  readonly clientAddress: string;
  readonly hostsDir: string;
  readonly pidFile: string;
  private dnsmasq: ChildProcess | null = null;
  private readonly work: string;

  /** `hostIf`: a fixed name for the host side (the testbed's avahi-daemon listens on one interface by name). */
  constructor(opts: { hostIf?: string } = {}) {
    this.hostIf = opts.hostIf ?? `vh${this.tag}`;
    const n = 1 + Math.floor(Math.random() * 250);
    this.hostAddress = `10.213.${n}.1`;
    this.clientAddress = `10.213.${n}.2`;
    this.work = mkdtempSync(join(tmpdir(), 'hda-lan-'));
    chmodSync(this.work, 0o755); // dnsmasq reads the hosts folder as its own user
    this.hostsDir = join(this.work, 'hosts.d');
    this.pidFile = join(this.work, 'dnsmasq.pid');
  }

  /** The namespace, the veth pair and the namespace's resolv.conf pointing at the host side. */
  up(): void {
    const peer = `vn${this.tag}`;
    must(['ip', 'netns', 'add', this.ns]);
    must(['ip', 'link', 'add', this.hostIf, 'type', 'veth', 'peer', 'name', peer]);
    must(['ip', 'link', 'set', peer, 'netns', this.ns]);
    must(['ip', 'addr', 'add', `${this.hostAddress}/24`, 'dev', this.hostIf]);
    must(['ip', 'link', 'set', this.hostIf, 'up']);
    must(['ip', 'netns', 'exec', this.ns, 'ip', 'addr', 'add', `${this.clientAddress}/24`, 'dev', peer]);
    must(['ip', 'netns', 'exec', this.ns, 'ip', 'link', 'set', peer, 'up']);
    must(['ip', 'netns', 'exec', this.ns, 'ip', 'link', 'set', 'lo', 'up']);
    // `ip netns exec` bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf for the command.
    mkdirSync(`/etc/netns/${this.ns}`, { recursive: true });
    writeFileSync(`/etc/netns/${this.ns}/resolv.conf`, `nameserver ${this.hostAddress}\noptions timeout:2 attempts:1\n`);
  }

  /** The HDA's dnsmasq, private: port 53 of the veth address only, names from the hosts folder, no upstream. */
  async startDnsmasq(domain: string): Promise<void> {
    mkdirSync(this.hostsDir, { recursive: true, mode: 0o755 });
    const args = ['--keep-in-foreground', '--no-resolv', '--no-hosts', '--bind-interfaces', `--listen-address=${this.hostAddress}`, '--port=53'].concat([
      `--hostsdir=${this.hostsDir}`,
      `--pid-file=${this.pidFile}`,
      `--local=/${domain}/`,
      '--log-facility=-',
      '--conf-file=/dev/null',
    ]);
    this.dnsmasq = spawn('dnsmasq', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    for (let i = 0; i < 100 && !existsSync(this.pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    if (!existsSync(this.pidFile)) throw new Error('dnsmasq did not start');
  }

  dnsmasqPid(): number | null {
    return existsSync(this.pidFile) ? Number(readFileSync(this.pidFile, 'utf8').trim()) : null;
  }

  async stopDnsmasq(): Promise<void> {
    const d = this.dnsmasq;
    if (!d || d.exitCode !== null) return;
    const exited = new Promise((r) => d.once('exit', r));
    d.kill('SIGTERM');
    await exited;
    rmSync(this.pidFile, { force: true });
  }

  /** A command run inside the client's namespace (its own network and resolver). */
  exec(argv: string[], timeoutMs = 20_000): Run {
    return sh(['ip', 'netns', 'exec', this.ns, ...argv], timeoutMs);
  }

  /**
   * The IPv4 address `name` has over multicast DNS, asked from inside the namespace (a query on its
   * veth, as a device on the LAN asks), or null when no answer came within `waitMs`.
   */
  resolveMdns(name: string, waitMs = 2000): { address: string | null; run: Run } {
    const run = this.exec(['node', MDNS_RESOLVE, name, this.clientAddress, String(waitMs)], waitMs + 10_000);
    if (run.code !== 0 && run.code !== 2) throw new Error(`the mDNS query failed: ${run.stderr.trim()}`);
    return { address: run.code === 0 ? run.stdout.trim() : null, run };
  }

  /** Another device in the namespace answering for `name` with the client's address, until `stop()`. */
  spawnMdnsResponder(name: string): { ready: Promise<void>; stop: () => void } {
    const child = spawn('ip', ['netns', 'exec', this.ns, 'node', MDNS_RESPOND, name, this.clientAddress], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`the mDNS responder exited (${code})`)));
    });
    ready.catch(() => undefined);
    return { ready, stop: () => child.kill('SIGTERM') };
  }

  async close(): Promise<void> {
    await this.stopDnsmasq();
    sh(['ip', 'link', 'del', this.hostIf]);
    sh(['ip', 'netns', 'del', this.ns]);
    rmSync(`/etc/netns/${this.ns}`, { recursive: true, force: true });
    rmSync(this.work, { recursive: true, force: true });
  }
}
