/**
 * A device on the home network, for real: a client in a network namespace of its own (veth to the
 * testbed) resolves `<app>.<domain>` through the HDA's dnsmasq (a private instance the agent feeds
 * through its hosts folder) and fetches the app over HTTPS from the testbed's Apache with mod_ssl,
 * trusting the HDA's CA with `curl --cacert`; without it curl refuses. The web port itself is closed
 * to it. Uninstall takes the name away; a dnsmasq that is not running is reported, never started.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, probeTestbed } from '../helpers/testbed';
import { LanClient, lanClientProblem, type Run } from '../helpers/lan-client';
import { collectLanHealth } from '../../agent/lan-health';
import { createHarness, DOMAIN, run, standinCompose, task, uniqueId, version, type Harness } from '../helpers/agent-harness';

const probe = probeTestbed();
const problem = !probe.ok
  ? probe.reason
  : !probe.testbed.apacheHttpsPort
    ? 'the testbed Apache has no HTTPS port (run test/testbed/up.sh)'
    : lanClientProblem();
const available = requireOrSkip('LAN client (netns, dnsmasq) against the testbed', problem === null, problem ?? '');

/** The run as the report quotes it: the command, its exit code and output. */
function show(r: Run): string {
  return `$ ${r.argv.join(' ')}\n${`${r.stdout}${r.stderr}`.trim()}\n(exit ${r.code})`;
}

describe.skipIf(!available)('a LAN device reaches an app by name over HTTPS, through Apache only', () => {
  let h: Harness;
  let lan: LanClient;
  const id = uniqueId('lan');
  const fqdn = `${id}.${DOMAIN}`;
  let port: number;
  let httpsPort: number;
  let caCert: string;
  const transcript: string[] = [];

  beforeAll(async () => {
    if (!probe.ok) return;
    lan = new LanClient();
    lan.up();
    await lan.startDnsmasq(DOMAIN);
    h = await createHarness(probe.testbed, {
      names: 'dnsmasq',
      'dns-hosts-dir': lan.hostsDir,
      'dns-address': lan.hostAddress,
      'dns-server': lan.hostAddress,
      'dns-pidfile': lan.pidFile,
    });
    httpsPort = probe.testbed.apacheHttpsPort!;
    port = await freePort();
    caCert = h.deps.tls!.ca.certPath;
  });
  afterAll(async () => {
    if (transcript.length) console.log(`LAN client run (namespace ${lan.ns}, HDA at ${lan.hostAddress}):\n\n${transcript.join('\n\n')}`);
    await h?.cleanup();
    await lan?.close();
  });

  it('install publishes the name in dnsmasq and gives the app a certificate and an SSL vhost', async () => {
    const t = await task(h, 'install', id, port, version(standinCompose(probe.ok ? probe.testbed.standinImage : '')));
    expect(await run(h, t)).toBe('succeeded');
    const vhost = h.client.events.get(t.id)!.find((e) => e.step === 'vhost' && e.status === 'Complete');
    expect(vhost?.message).toContain(`HTTPS on port ${httpsPort}`);
    expect(vhost?.message).toContain(`${fqdn} resolves to ${lan.hostAddress}`);
    expect(h.deps.apache.readVhost(id)).toContain(`<VirtualHost *:${httpsPort}>`);
  });

  it('the heartbeat carries the health: the name resolves to the HDA, the certificate and its expiry, the CA certificate only', async () => {
    const health = await collectLanHealth({ installs: h.deps.installs, tls: h.deps.tls, names: h.deps.names });
    expect(health.names).toEqual({ mode: 'dnsmasq', address: lan.hostAddress });
    expect(health.https?.port).toBe(httpsPort);
    expect(health.https?.ca_pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[^-]+-----END CERTIFICATE-----\n$/);
    expect(JSON.stringify(health)).not.toContain('PRIVATE');
    const app = health.apps.find((a) => a.identifier === id)!;
    expect(app).toMatchObject({ name: fqdn, resolves: true });
    expect(Date.parse(app.cert_not_after!)).toBeGreaterThan(Date.now() + 300 * 86_400_000);
    expect(app.cert_problem).toBeUndefined();
  });

  it("the client resolves the name through the HDA's dnsmasq", () => {
    const r = lan.exec(['getent', 'hosts', fqdn]);
    transcript.push(show(r));
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(/\s+/)).toEqual([lan.hostAddress, fqdn]);
  });

  it("fetches the app over HTTPS trusting the HDA's CA, and curl refuses without it", () => {
    const ok = lan.exec([
      'curl',
      '-sS',
      '--max-time',
      '10',
      '--cacert',
      caCert,
      '-w',
      '\\nHTTP %{http_code}, verify %{ssl_verify_result}\\n',
      `https://${fqdn}:${httpsPort}/`,
    ]);
    transcript.push(show(ok));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Stand-in');
    expect(ok.stdout).toContain(`host: ${fqdn}`);
    expect(ok.stdout).toContain('HTTP 200, verify 0');
    const refused = lan.exec(['curl', '-sS', '--max-time', '10', `https://${fqdn}:${httpsPort}/`]);
    transcript.push(show(refused));
    expect(refused.code).toBe(60); // CURLE_PEER_FAILED_VERIFICATION
    expect(refused.stderr).toMatch(/certificate/i);
  });

  it("cannot reach the app's web port around Apache", () => {
    const r = lan.exec(['curl', '-sS', '--max-time', '10', `http://${lan.hostAddress}:${port}/`]);
    transcript.push(show(r));
    expect(r.code).toBe(7); // CURLE_COULDNT_CONNECT: nothing listens there for the LAN
  });

  it('uninstall takes the name and the certificate away', async () => {
    expect(await run(h, await task(h, 'uninstall', id, port))).toBe('succeeded');
    expect(readdirSync(h.deps.tls!.certs.dir).filter((f) => f.startsWith(id))).toEqual([]);
    let r = lan.exec(['getent', 'hosts', fqdn]);
    for (let i = 0; i < 50 && r.code === 0; i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = lan.exec(['getent', 'hosts', fqdn]);
    }
    transcript.push(show(r));
    expect(r.code).toBe(2); // getent: key not found
  });

  it('a dnsmasq that is not running is reported and not started; the app is installed all the same', async () => {
    await lan.stopDnsmasq();
    // A new port: the earlier one may still have the client's closed connections on it.
    const t = await task(h, 'install', id, await freePort(), version(standinCompose(probe.ok ? probe.testbed.standinImage : '')));
    const state = await run(h, t);
    expect({ state, events: state === 'succeeded' ? [] : h.client.events.get(t.id)!.filter((e) => e.status === 'Error') }).toEqual({
      state: 'succeeded',
      events: [],
    });
    const warn = h.client.events.get(t.id)!.find((e) => e.status === 'Warning' && e.step === 'vhost');
    expect(warn?.message).toContain(`dnsmasq is not running (no ${lan.pidFile})`);
    expect(warn?.data).toMatchObject({ names: 'dnsmasq-down' });
    expect(existsSync(lan.pidFile)).toBe(false);
    expect(existsSync(join(lan.hostsDir, 'hda-apps'))).toBe(true);
    const health = await collectLanHealth({ installs: h.deps.installs, tls: h.deps.tls, names: h.deps.names });
    expect(health.names.problem).toBe(`dnsmasq is not running (no ${lan.pidFile})`);
    expect(health.apps.find((a) => a.identifier === id)).toMatchObject({ resolves: false, name_problem: expect.stringContaining(`${fqdn} does not resolve`) });
  });
});
