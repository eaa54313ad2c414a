/**
 * Names over multicast DNS, for real: the agent (names=mdns) publishes `<app>.local` through the
 * testbed's avahi-daemon, and a device in a network namespace of its own (veth to the host) asks for
 * it with an mDNS query on its link, then fetches the app over HTTPS from the testbed's Apache,
 * trusting the HDA's CA (`curl --cacert`; without it curl refuses). A publisher that dies is started
 * again; uninstall withdraws the name; a name another device holds is a collision, and a daemon that
 * cannot be reached is a failure, both reported.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectLanHealth } from '../../agent/lan-health';
import { vhostStem } from '../../agent/apache/vhost';
import { MdnsNames } from '../../agent/names/mdns';
import { LanClient, lanClientProblem, type Run } from '../helpers/lan-client';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, probeTestbed, testbedMdns } from '../helpers/testbed';
import { createHarness, run, standinCompose, task, uniqueId, version, type Harness } from '../helpers/agent-harness';

const probe = probeTestbed();
const mdns = testbedMdns();
const problem = !probe.ok
  ? probe.reason
  : !probe.testbed.apacheHttpsPort
    ? 'the testbed Apache has no HTTPS port (run test/testbed/up.sh)'
    : !mdns.ok
      ? mdns.reason
      : lanClientProblem();
const available = requireOrSkip('mDNS names (avahi, netns) against the testbed', problem === null, problem ?? '');

function show(r: Run): string {
  return `$ ${r.argv.join(' ')}\n${`${r.stdout}${r.stderr}`.trim()}\n(exit ${r.code})`;
}

/** Polls `check` until it returns true or `tries` run out (avahi answers within a second or two). */
async function eventually(check: () => boolean | Promise<boolean>, tries = 40): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

describe.skipIf(!available)('a LAN device finds an app as <app>.local over mDNS and reaches it over HTTPS', () => {
  let h: Harness;
  let lan: LanClient;
  let names: MdnsNames;
  const id = uniqueId('mdns');
  const local = `${id}.local`;
  let httpsPort: number;
  const transcript: string[] = [];

  beforeAll(async () => {
    if (!probe.ok || !mdns.ok) return;
    lan = new LanClient({ hostIf: mdns.mdns.iface });
    lan.up();
    h = await createHarness(probe.testbed, { names: 'mdns', 'dns-address': lan.hostAddress, 'avahi-pidfile': mdns.mdns.avahiPidFile });
    names = h.deps.names as MdnsNames;
    httpsPort = probe.testbed.apacheHttpsPort!;
  });
  afterAll(async () => {
    if (transcript.length) console.log(`mDNS client run (namespace ${lan.ns}, HDA at ${lan.hostAddress}):\n\n${transcript.join('\n\n')}`);
    await h?.cleanup();
    await lan?.close();
  });

  it('install publishes <app>.local, the vhost answers it and the certificate names it', async () => {
    const t = await task(h, 'install', id, await freePort(), version(standinCompose(probe.ok ? probe.testbed.standinImage : '')));
    expect(await run(h, t)).toBe('succeeded');
    const vhost = h.client.events.get(t.id)!.find((e) => e.step === 'vhost' && e.status === 'Complete');
    expect(vhost?.message).toContain(`${local} published over mDNS (${lan.hostAddress})`);
    expect(h.deps.apache.readVhost(id)).toMatch(new RegExp(`ServerAlias .*\\b${local.replace('.', '\\.')}\\b`));
    expect(h.deps.tls!.certs.read(vhostStem(id))?.names).toContain(local);
    expect(names.publisher(local)?.argv()).toEqual(['avahi-publish', '-a', '-R', local, lan.hostAddress]);
  });

  it('the heartbeat says mdns, the address, and that the name is published', async () => {
    const health = await collectLanHealth({ installs: h.deps.installs, tls: h.deps.tls, names: h.deps.names });
    expect(health.names).toEqual({ mode: 'mdns', address: lan.hostAddress });
    expect(health.apps.find((a) => a.identifier === id)).toMatchObject({ name: local, resolves: true, mdns_state: 'published' });
  });

  it("the client resolves the name by multicast DNS and fetches the app trusting the HDA's CA; curl refuses without it", () => {
    const r = lan.resolveMdns(local);
    transcript.push(show(r.run));
    expect(r.address).toBe(lan.hostAddress);
    // curl takes the address the mDNS answer gave (the namespace has no mDNS resolver in its libc).
    const pin = `${local}:${httpsPort}:${r.address}`;
    const ok = lan.exec([
      'curl',
      '-sS',
      '--max-time',
      '10',
      '--resolve',
      pin,
      '--cacert',
      h.deps.tls!.ca.certPath,
      '-w',
      '\\nHTTP %{http_code}, verify %{ssl_verify_result}\\n',
      `https://${local}:${httpsPort}/`,
    ]);
    transcript.push(show(ok));
    expect(ok.code).toBe(0);
    // A name no vhost answers gets the default TLS vhost: its own certificate (verify fails) and a 403.
    expect(ok.stdout).toContain('Stand-in for web');
    expect(ok.stdout).toContain('HTTP 200, verify 0');
    const refused = lan.exec(['curl', '-sS', '--max-time', '10', '--resolve', pin, `https://${local}:${httpsPort}/`]);
    transcript.push(show(refused));
    expect(refused.code).toBe(60); // CURLE_PEER_FAILED_VERIFICATION
  });

  it('a publisher that dies is started again and the name comes back', async () => {
    const before = names.publisher(local)!.pid!;
    process.kill(before, 'SIGKILL');
    expect(await eventually(() => names.publisher(local)!.state === 'failed')).toBe(true);
    // The first restart comes after the backoff's base delay (1 s).
    expect(await eventually(() => names.publisher(local)!.state === 'published' && names.publisher(local)!.pid !== before)).toBe(true);
    expect(lan.resolveMdns(local).address).toBe(lan.hostAddress);
  });

  it('uninstall withdraws the name: it no longer resolves', async () => {
    expect(await run(h, await task(h, 'uninstall', id, await freePort()))).toBe('succeeded');
    expect(names.publisher(local)).toBeUndefined();
    expect(names.records().has(id)).toBe(false);
    const r = lan.resolveMdns(local, 1500);
    transcript.push(show(r.run));
    expect(r.address).toBeNull();
  });

  it('a name another device on the link already answers for is a collision, reported in words', async () => {
    const taken = `${uniqueId('taken')}.local`;
    const other = lan.spawnMdnsResponder(taken);
    const dir = mkdtempSync(join(tmpdir(), 'hda-mdns-'));
    const own = new MdnsNames({ address: lan.hostAddress, recordFile: join(dir, 'names.json'), pidFile: mdns.ok ? mdns.mdns.avahiPidFile : '' });
    try {
      await other.ready;
      expect(own.set('clash', [taken])).toBe('added');
      const health = await own.nameHealth('clash', 'clash.example', 10_000);
      expect(health).toMatchObject({
        name: taken,
        resolves: false,
        mdnsState: 'collision',
        problem: `another device on the network already answers for ${taken}`,
      });
    } finally {
      await own.close();
      other.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an avahi-daemon that cannot be reached is a failure with the reason, and the pid file check says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hda-mdns-'));
    // The real avahi-publish, on a system bus address where nothing listens: what it says when the daemon is down.
    const cut = new MdnsNames({
      address: lan.hostAddress,
      recordFile: join(dir, 'names.json'),
      pidFile: join(dir, 'avahi.pid'),
      publisher: { command: ['env', `DBUS_SYSTEM_BUS_ADDRESS=unix:path=${join(dir, 'no-bus')}`, 'avahi-publish'] },
    });
    try {
      cut.set('down', ['down-app.local']);
      expect(await cut.nameHealth('down', 'down.example', 10_000)).toMatchObject({
        resolves: false,
        mdnsState: 'failed',
        problem: 'avahi-daemon is not running: down-app.local is not published',
      });
      expect(cut.daemonState()).toEqual({ running: false, reason: `avahi-daemon is not running (no ${join(dir, 'avahi.pid')})` });
    } finally {
      await cut.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
