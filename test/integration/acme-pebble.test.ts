/**
 * ACME against Pebble (Let's Encrypt's test server) with the HTTP-01 challenge answered through the
 * testbed's Apache: an install with `--tls acme` gets a certificate Pebble issued (curl verifies it
 * with Pebble's root only), the renewal pass replaces it (Pebble's certificates live one hour, inside
 * the renewal window), and an order Pebble cannot validate leaves the app serving HTTP with the reason
 * in the LAN health.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectLanHealth } from '../../agent/lan-health';
import { silentLogger } from '../../agent/log';
import { CertRenewal } from '../../agent/tls/renewal';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, getThroughApache, probeTestbed, testbedAcme } from '../helpers/testbed';
import { createHarness, DOMAIN, run, standinCompose, task, uniqueId, version, type Harness } from '../helpers/agent-harness';

const probe = probeTestbed();
const pebble = testbedAcme();
const problem = !probe.ok
  ? probe.reason
  : !probe.testbed.apacheHttpsPort
    ? 'the testbed Apache has no HTTPS port (run test/testbed/up.sh)'
    : !pebble.ok
      ? pebble.reason
      : null;
const available = requireOrSkip('ACME with pebble and lego', problem === null, problem ?? '');

/** The serial of the certificate Apache serves for `name`, verified against `ca` only. */
function servedSerial(port: number, name: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername: name, ca }, () => {
      const serial = s.getPeerCertificate().serialNumber;
      s.end();
      resolve(serial);
    });
    s.on('error', reject);
  });
}

function keyFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.key'));
}

describe.skipIf(!available)('ACME certificates from pebble through Apache HTTP-01', () => {
  let h: Harness;
  let webroot: string;
  let rootsFile: string;
  let root: string;
  let httpsPort: number;
  const id = uniqueId('acme');
  const fqdn = `${id}.${DOMAIN}`;

  const acmeFlags = () => ({
    tls: 'acme',
    'acme-directory': pebble.ok ? pebble.acme.directory : '',
    'acme-email': 'owner@example.org',
    'acme-ca-bundle': pebble.ok ? pebble.acme.directoryCa : '',
    'acme-webroot': webroot,
  });

  beforeAll(async () => {
    if (!probe.ok || !pebble.ok) return;
    // The challenge folder Apache (www-data when run as root) reads.
    webroot = mkdtempSync(join(tmpdir(), 'hda-acme-webroot-'));
    chmodSync(webroot, 0o755);
    h = await createHarness(probe.testbed, acmeFlags());
    httpsPort = probe.testbed.apacheHttpsPort!;
    const roots = spawnSync('curl', ['-fsS', '--cacert', pebble.acme.directoryCa, pebble.acme.rootsUrl], { encoding: 'utf8' });
    expect(roots.status).toBe(0);
    root = roots.stdout;
    rootsFile = join(webroot, 'pebble-root.pem');
    writeFileSync(rootsFile, root);
  });
  afterAll(async () => {
    await h?.cleanup();
    if (webroot) rmSync(webroot, { recursive: true, force: true });
  });

  it('an install gets a certificate pebble issued, which curl verifies with pebble root only', async () => {
    const t = await task(h, 'install', id, await freePort(), version(standinCompose(probe.ok ? probe.testbed.standinImage : '')));
    expect(await run(h, t)).toBe('succeeded');
    const cert = h.deps.tls!.certs.read(id)!;
    expect(cert.names).toEqual([fqdn]);
    expect(cert.cert.issuer).toMatch(/Pebble/);
    const curl = spawnSync(
      'curl',
      ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', rootsFile, '--resolve', `${fqdn}:${httpsPort}:127.0.0.1`, `https://${fqdn}:${httpsPort}/`],
      { encoding: 'utf8' },
    );
    expect(curl.stderr).toBe('');
    expect(curl.stdout).toBe('200');
    // Without pebble's root the same certificate is not trusted.
    const untrusted = spawnSync('curl', ['-sS', '-o', '/dev/null', '--resolve', `${fqdn}:${httpsPort}:127.0.0.1`, `https://${fqdn}:${httpsPort}/`], {
      encoding: 'utf8',
    });
    expect(untrusted.status).not.toBe(0);
    // The account key and every certificate key stay 0600.
    const stateTls = join(h.config.stateDir, 'tls');
    const keys = keyFiles(stateTls);
    expect(keys.some((k) => k.startsWith('acme/accounts/'))).toBe(true);
    for (const k of keys) expect((statSync(join(stateTls, k)).mode & 0o777).toString(8), k).toBe('600');
    const health = await collectLanHealth({ installs: h.deps.installs, tls: h.deps.tls });
    expect(health.https?.certificates).toBe('acme');
    const app = health.apps.find((a) => a.identifier === id)!;
    expect(app.cert_not_after).toBe(cert.notAfter);
    // Pebble's one-hour certificate is inside the renewal window from the start: only that is said.
    expect(app.cert_problem).toMatch(/^the certificate expires on \S+ and was not renewed yet$/);
  });

  it('the renewal pass replaces the one-hour certificate and Apache serves the new one', async () => {
    const before = await servedSerial(httpsPort, fqdn, root);
    expect(before).toBe(h.deps.tls!.certs.read(id)!.cert.serialNumber);
    const renewal = new CertRenewal({ tls: h.deps.tls!, installs: h.deps.installs, apache: h.deps.apache, log: silentLogger });
    expect(await renewal.runOnce()).toEqual({ renewed: [id], failed: [] });
    const after = h.deps.tls!.certs.read(id)!.cert.serialNumber;
    expect(after).not.toBe(before);
    let served = await servedSerial(httpsPort, fqdn, root);
    for (let i = 0; i < 100 && served !== after; i++) {
      await new Promise((r) => setTimeout(r, 100));
      served = await servedSerial(httpsPort, fqdn, root);
    }
    expect(served).toBe(after);
  });

  it('with HTTP redirected to HTTPS the challenge is still answered over HTTP', async () => {
    const r = await createHarness(probe.ok ? probe.testbed : (undefined as never), { ...acmeFlags(), 'https-redirect': 'true' });
    try {
      const rid = uniqueId('acmeredir');
      const t = await task(r, 'install', rid, await freePort(), version(standinCompose(probe.ok ? probe.testbed.standinImage : '')));
      const outcome = await run(r, t);
      if (outcome !== 'succeeded') console.log(JSON.stringify([...r.client.results.values()], null, 1).slice(0, 3000));
      expect(outcome).toBe('succeeded');
      expect(r.deps.tls!.certs.read(rid)!.cert.issuer).toMatch(/Pebble/);
      const plain = await getThroughApache(r.tb, `${rid}.${DOMAIN}`);
      expect(plain.status).toBe(301);
      expect(await servedSerial(httpsPort, `${rid}.${DOMAIN}`, root)).toBe(r.deps.tls!.certs.read(rid)!.cert.serialNumber);
    } finally {
      await r.cleanup();
    }
  });

  it('a name pebble cannot validate is left out: the app gets a certificate for its main name, the health says which name and why', async () => {
    const bad = uniqueId('acmebad');
    const t = await task(h, 'install', bad, await freePort(), version(standinCompose(probe.ok ? probe.testbed.standinImage : '')));
    // A name pebble's resolver does not know: its HTTP-01 validation cannot reach this HDA.
    t.payload.install.hostname = `${bad}.nowhere.example`;
    expect(await run(h, t)).toBe('succeeded');
    const cert = h.deps.tls!.certs.read(bad)!;
    expect(cert.names).toEqual([`${bad}.${DOMAIN}`]);
    expect(cert.cert.issuer).toMatch(/Pebble/);
    const app = (await collectLanHealth({ installs: h.deps.installs, tls: h.deps.tls })).apps.find((a) => a.identifier === bad)!;
    expect(app.cert_not_after).toBe(cert.notAfter);
    expect(app.cert_problem).toContain(`certificate without ${bad}.nowhere.example: the ACME order for ${bad}.${DOMAIN}, ${bad}.nowhere.example failed`);
  });

  it('an app whose only public name pebble cannot validate stays on HTTP with the reason in its health', async () => {
    const r = await createHarness(probe.ok ? probe.testbed : (undefined as never), { ...acmeFlags() });
    try {
      const bad = uniqueId('acmenone');
      const t = await task(r, 'install', bad, await freePort(), version(standinCompose(probe.ok ? probe.testbed.standinImage : '')));
      // The install's own domain is one pebble's resolver does not know.
      t.payload.install.domain = 'nowhere.example';
      t.payload.install.hostname = `${bad}.nowhere.example`;
      expect(await run(r, t)).toBe('succeeded');
      expect(r.deps.tls!.certs.read(bad)).toBeNull();
      const plain = await getThroughApache(probe.ok ? probe.testbed : (undefined as never), `${bad}.nowhere.example`);
      expect(plain.status).toBe(200);
      const app = (await collectLanHealth({ installs: r.deps.installs, tls: r.deps.tls })).apps.find((a) => a.identifier === bad)!;
      expect(app.cert_not_after).toBeNull();
      expect(app.cert_problem).toContain('no certificate: the app is served over HTTP only');
      expect(app.cert_problem).toContain(`certificate failed: the ACME order for ${bad}.nowhere.example failed`);
    } finally {
      await r.cleanup();
    }
  });
});
