/**
 * The HDA's CA constrained to the HDA's domain (X.509 name constraints, critical), with the real
 * openssl CLI: what it issues verifies, and a certificate its key signs for any other name does not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalCa, withinDomain } from '../../../agent/tls/ca';
import { AppCertificates } from '../../../agent/tls/certs';
import { collectLanHealth } from '../../../agent/lan-health';
import { InstallRegistry } from '../../../agent/installs';
import { tlsParts } from '../../../agent/tls/index';
import { commandWorks, requireOrSkip } from '../../helpers/requirements';

const haveOpenssl = requireOrSkip('openssl CLI', commandWorks('openssl', ['version']), 'not installed (test/testbed/up.sh installs it)');

const verify = (ca: LocalCa, cert: string) => spawnSync('openssl', ['verify', '-CAfile', ca.certPath, cert], { encoding: 'utf8' });

/** A certificate for `name` signed with the CA's key directly, as a thief holding the key would. */
function forge(ca: LocalCa, dir: string, name: string): string {
  const key = join(dir, `${name}.key`);
  const out = join(dir, `${name}.crt`);
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-CA', ca.certPath, '-CAkey', ca.keyPath].concat(
      ['-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`, '-addext', 'basicConstraints=critical,CA:FALSE', '-days', '30', '-out', out],
    ),
    { encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return out;
}

describe.skipIf(!haveOpenssl)("the HDA's CA signs only for the HDA's domain", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hda-ca-nc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a certificate its key signs for a name outside the domain fails openssl verify; one inside passes', async () => {
    const ca = new LocalCa(join(dir, 'tls'), { label: 'home', permitted: ['home.test'] });
    await ca.ensure();
    expect(ca.constraints()).toEqual(['home.test']);
    const text = spawnSync('openssl', ['x509', '-in', ca.certPath, '-noout', '-text'], { encoding: 'utf8' }).stdout;
    expect(text).toMatch(/X509v3 Name Constraints: critical\s+Permitted:\s+DNS:home\.test/);
    expect(verify(ca, forge(ca, dir, 'web.home.test')).status).toBe(0);
    const outside = verify(ca, forge(ca, dir, 'bank.example.com'));
    expect(outside.status).not.toBe(0);
    expect(`${outside.stdout}${outside.stderr}`).toMatch(/permitted subtree violation/);
    // A name that merely ends like the domain is outside it too.
    expect(verify(ca, forge(ca, dir, 'evilhome.test')).status).not.toBe(0);
  });

  it("the app's certificate leaves out the names the CA may not sign (the bare identifier) and verifies", async () => {
    const ca = new LocalCa(join(dir, 'tls'), { permitted: ['home.test'] });
    await ca.ensure();
    const certs = new AppCertificates(ca, join(dir, 'tls', 'apps'));
    const c = await certs.ensure('web', ['web.home.test', 'web', 'photos.example.org']);
    expect(c.names).toEqual(['web.home.test']);
    expect(verify(ca, c.certPath).status).toBe(0);
    // Asked again with the same names: current, not issued again on every run.
    expect((await certs.ensure('web', ['web.home.test', 'web', 'photos.example.org'])).action).toBe('current');
    await expect(certs.ensure('other', ['other', 'other.example.org'])).rejects.toThrow(/may only sign names in home\.test/);
  });

  it('a CA made without constraints keeps working, and the heartbeat says it has none', async () => {
    const stateDir = join(dir, 'state');
    const old = tlsParts({ stateDir, httpsPort: 443, httpsRedirect: false })!;
    await old.ca.ensure();
    expect(old.ca.constraints()).toBeNull();
    const health = await collectLanHealth({ installs: new InstallRegistry(stateDir), tls: old });
    expect(health.https?.ca_fingerprint).toBeTruthy();
    expect(health.https).not.toHaveProperty('ca_permitted');
    // An agent that learns its domain later does not re-make (and so invalidate) the CA owners trust.
    const later = tlsParts({ stateDir, httpsPort: 443, httpsRedirect: false }, ['home.test'])!;
    expect(await later.ca.ensure()).toBe('present');
    expect(later.ca.info()?.fingerprint256).toBe(old.ca.info()?.fingerprint256);
    const made = tlsParts({ stateDir: join(dir, 'new'), httpsPort: 443, httpsRedirect: true }, ['home.test'])!;
    await made.ca.ensure();
    expect((await collectLanHealth({ installs: new InstallRegistry(join(dir, 'new')), tls: made })).https).toMatchObject({
      ca_permitted: ['home.test'],
      redirect: true,
    });
  });

  it('refuses a permitted entry that is not a domain before running openssl', async () => {
    await expect(new LocalCa(join(dir, 'x'), { permitted: ['home.test,permitted;DNS:evil'] }).ensure()).rejects.toThrow(/is not a domain/);
  });

  it('withinDomain matches the domain and its subdomains only', () => {
    expect(withinDomain('a.home.test', 'home.test')).toBe(true);
    expect(withinDomain('home.test', 'home.test')).toBe(true);
    expect(withinDomain('A.Home.Test', 'home.test')).toBe(true);
    expect(withinDomain('evilhome.test', 'home.test')).toBe(false);
    expect(withinDomain('web', 'home.test')).toBe(false);
  });
});
