/**
 * Certificate renewal against the testbed's Apache with mod_ssl: an app served with a short-lived
 * certificate (1 day) is renewed by the renewal pass, and Apache then serves the new one; a renewal
 * that fails is kept for the heartbeat with its reason while the old certificate keeps serving.
 */
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectLanHealth } from '../../agent/lan-health';
import { silentLogger } from '../../agent/log';
import { AppCertificates } from '../../agent/tls/certs';
import { CertRenewal } from '../../agent/tls/renewal';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, probeTestbed } from '../helpers/testbed';
import { createHarness, DOMAIN, run, standinCompose, task, uniqueId, version, type Harness } from '../helpers/agent-harness';

const probe = probeTestbed();
const problem = !probe.ok ? probe.reason : !probe.testbed.apacheHttpsPort ? 'the testbed Apache has no HTTPS port (run test/testbed/up.sh)' : null;
const available = requireOrSkip('agent testbed with HTTPS', problem === null, problem ?? '');
const DAY = 86_400_000;

/** The expiry of the certificate Apache serves for `name`, trusting only the HDA's CA. */
function servedExpiry(port: number, name: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, servername: name, ca }, () => {
      const at = Date.parse(s.getPeerCertificate().valid_to);
      s.end();
      resolve(at);
    });
    s.on('error', reject);
  });
}

async function waitForExpiry(port: number, name: string, ca: string, ok: (at: number) => boolean): Promise<number> {
  let at = await servedExpiry(port, name, ca);
  for (let i = 0; i < 100 && !ok(at); i++) {
    await new Promise((r) => setTimeout(r, 100));
    at = await servedExpiry(port, name, ca);
  }
  return at;
}

describe.skipIf(!available)('certificates are renewed before they expire and Apache serves the new one', () => {
  let h: Harness;
  const id = uniqueId('renew');
  const fqdn = `${id}.${DOMAIN}`;
  let httpsPort: number;
  let ca: string;

  beforeAll(async () => {
    if (!probe.ok) return;
    h = await createHarness(probe.testbed);
    httpsPort = probe.testbed.apacheHttpsPort!;
    expect(await run(h, await task(h, 'install', id, await freePort(), version(standinCompose(probe.testbed.standinImage))))).toBe('succeeded');
    ca = readFileSync(h.deps.tls!.ca.certPath, 'utf8');
    // A short-lived certificate in its place, served after a graceful reload.
    const short = new AppCertificates(h.deps.tls!.ca, h.deps.tls!.certs.dir, { days: 1 });
    h.deps.tls!.certs.remove(id);
    await short.ensure(id, [fqdn, id]);
    await h.deps.apache.reload();
  });
  afterAll(async () => h?.cleanup());

  it('Apache serves the 1-day certificate; the heartbeat says it expires soon', async () => {
    const at = await waitForExpiry(httpsPort, fqdn, ca, (t) => t < Date.now() + 2 * DAY);
    expect(at).toBeLessThan(Date.now() + 2 * DAY);
    const app = (await collectLanHealth({ installs: h.deps.installs, tls: h.deps.tls })).apps.find((a) => a.identifier === id)!;
    expect(app.cert_problem).toMatch(/^the certificate expires on .* and was not renewed yet$/);
  });

  it('a renewal that fails is reported with its reason and the old certificate keeps serving', async () => {
    const broken = { ...h.deps.tls!, certs: new AppCertificates(h.deps.tls!.ca, h.deps.tls!.certs.dir, { openssl: '/nonexistent/openssl' }) };
    const renewal = new CertRenewal({ tls: broken, installs: h.deps.installs, apache: h.deps.apache, log: silentLogger });
    expect(await renewal.runOnce()).toEqual({ renewed: [], failed: [id] });
    const app = (await collectLanHealth({ installs: h.deps.installs, tls: h.deps.tls, renewalFailures: renewal.failures })).apps.find(
      (a) => a.identifier === id,
    )!;
    expect(app.cert_problem).toContain('renewal failed: cannot run /nonexistent/openssl');
    expect(await servedExpiry(httpsPort, fqdn, ca)).toBeLessThan(Date.now() + 2 * DAY);
  });

  it('the renewal pass renews it and reloads Apache, which then serves the new certificate', async () => {
    const renewal = new CertRenewal({ tls: h.deps.tls!, installs: h.deps.installs, apache: h.deps.apache, log: silentLogger });
    expect(await renewal.runOnce()).toEqual({ renewed: [id], failed: [] });
    const at = await waitForExpiry(httpsPort, fqdn, ca, (t) => t > Date.now() + 300 * DAY);
    expect(at).toBeGreaterThan(Date.now() + 300 * DAY);
    expect(await renewal.runOnce()).toEqual({ renewed: [], failed: [] });
    const app = (await collectLanHealth({ installs: h.deps.installs, tls: h.deps.tls, renewalFailures: renewal.failures })).apps.find(
      (a) => a.identifier === id,
    )!;
    expect(app.cert_problem).toBeUndefined();
    console.log(`renewal of ${fqdn}: Apache served a certificate valid until ${new Date(at).toISOString()} after the 1-day one`);
  });
});
