/** The HDA's CA and app certificates, made with the real openssl CLI and read back with Node's X509Certificate. */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderVhost, VhostError } from '../../../agent/apache/vhost';
import { LocalCa } from '../../../agent/tls/ca';
import { AppCertificates, certificateNameProblem } from '../../../agent/tls/certs';
import { TlsError } from '../../../agent/tls/openssl';
import { commandWorks, requireOrSkip } from '../../helpers/requirements';

const haveOpenssl = requireOrSkip('openssl CLI', commandWorks('openssl', ['version']), 'not installed (test/testbed/up.sh installs it)');

describe.skipIf(!haveOpenssl)("the HDA's certificate authority and app certificates", () => {
  let dir: string;
  let ca: LocalCa;
  let certs: AppCertificates;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hda-tls-'));
    ca = new LocalCa(join(dir, 'tls'), { label: 'home' });
    certs = new AppCertificates(ca, join(dir, 'tls', 'apps'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes the CA once: key 0600 in a 0700 folder, a CA certificate; the key is never in what it hands out', async () => {
    expect(await ca.ensure()).toBe('created');
    expect(statSync(ca.keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(ca.dir).mode & 0o777).toBe(0o700);
    const info = ca.info()!;
    expect(info.subject).toContain('CN=home local CA');
    expect(new X509Certificate(ca.certPem()!).ca).toBe(true);
    expect(`${ca.certPem()}${JSON.stringify(info)}`).not.toContain('PRIVATE');
    expect(await ca.ensure()).toBe('present');
    expect(ca.info()!.fingerprint256).toBe(info.fingerprint256);
  });

  it("issues a certificate for the app's names that openssl verifies against the CA by name", async () => {
    await ca.ensure();
    const c = await certs.ensure('web', ['web.home.test', 'web']);
    expect(c.action).toBe('issued');
    expect(c.names).toEqual(['web.home.test', 'web']);
    expect(statSync(c.keyPath).mode & 0o777).toBe(0o600);
    const ok = spawnSync('openssl', ['verify', '-CAfile', ca.certPath, '-verify_hostname', 'web.home.test', c.certPath], { encoding: 'utf8' });
    expect(ok.stdout.trim()).toBe(`${c.certPath}: OK`);
    const wrong = spawnSync('openssl', ['verify', '-CAfile', ca.certPath, '-verify_hostname', 'other.home.test', c.certPath], { encoding: 'utf8' });
    expect(wrong.status).not.toBe(0);
    expect(readdirSync(certs.dir).sort()).toEqual(['web.crt', 'web.key']);
  });

  it('keeps a current certificate; renews for new names, before expiry and after the CA changed', async () => {
    await ca.ensure();
    const first = await certs.ensure('web', ['web.home.test']);
    expect((await certs.ensure('web', ['web.home.test'])).action).toBe('current');
    const renamed = await certs.ensure('web', ['web.home.test', 'films.home.test']);
    expect(renamed).toMatchObject({ action: 'renewed', reason: 'the app has other names now', names: ['web.home.test', 'films.home.test'] });
    const soon = new AppCertificates(ca, certs.dir, { renewBeforeMs: 400 * 86_400_000 });
    expect(await soon.ensure('web', ['web.home.test', 'films.home.test'])).toMatchObject({ action: 'renewed', reason: `expires ${renamed.notAfter}` });
    rmSync(ca.keyPath);
    await ca.ensure();
    expect(await certs.ensure('web', ['web.home.test', 'films.home.test'])).toMatchObject({
      action: 'renewed',
      reason: "not issued by this HDA's certificate authority",
    });
    expect(first.certPath).toBe(join(certs.dir, 'web.crt'));
  });

  it('refuses a name that cannot be a DNS name before anything is written', async () => {
    await ca.ensure();
    for (const bad of ['web home', 'web.home.test\nSSLEngine off', '-web.test', '10.0.0.1', 'a'.repeat(64), 'Web.test']) {
      expect(certificateNameProblem(bad)).not.toBeNull();
      await expect(certs.ensure('web', [bad])).rejects.toThrow(TlsError);
    }
    expect(() => certs.files('../etc')).toThrow(TlsError);
    expect(readdirSync(ca.dir)).not.toContain('apps');
  });

  it('a certificate without a CA, or without openssl, fails with the reason', async () => {
    await expect(certs.ensure('web', ['web.home.test'])).rejects.toThrow('certificate authority is missing');
    await expect(new LocalCa(join(dir, 'other'), { openssl: '/nonexistent/openssl' }).ensure()).rejects.toThrow('cannot run /nonexistent/openssl');
  });
});

describe('the SSL vhost next to the plain one', () => {
  const base = { identifier: 'radarr', domain: 'home.lan', hostPort: 35007, logDir: '/var/log/apache2/hda-apps/radarr', listenPort: 80 };
  const tls = { port: 443, certPath: '/var/lib/hda-agent/tls/apps/radarr.crt', keyPath: '/var/lib/hda-agent/tls/apps/radarr.key', redirect: false };

  it('serves the app over both, the SSL one only when mod_ssl is loaded', () => {
    const lines = renderVhost({ ...base, tls })
      .split('\n')
      .map((l) => l.trim());
    expect(lines.filter((l) => l.startsWith('ProxyPass /'))).toHaveLength(2);
    expect(lines).toContain('<IfModule ssl_module>');
    expect(lines).toContain('<VirtualHost *:443>');
    expect(lines).toContain('SSLEngine on');
    expect(lines).toContain(`SSLCertificateFile "${tls.certPath}"`);
    expect(lines).toContain(`SSLCertificateKeyFile "${tls.keyPath}"`);
    expect(lines.filter((l) => l === 'ServerName radarr')).toHaveLength(2);
  });

  it('redirects plain HTTP to HTTPS when asked, naming the port when it is not 443', () => {
    const v = renderVhost({ ...base, tls: { ...tls, port: 18443, redirect: true } });
    const plain = v.slice(0, v.indexOf('</VirtualHost>'));
    expect(plain).toContain('Redirect permanent / https://radarr.home.lan:18443/');
    expect(plain).not.toContain('ProxyPass');
  });

  it('refuses a certificate path that could add a directive', () => {
    expect(() => renderVhost({ ...base, tls: { ...tls, keyPath: '/x.key"\nSSLEngine off' } })).toThrow(VhostError);
    expect(() => renderVhost({ ...base, tls: { ...tls, port: 0 } })).toThrow(VhostError);
  });
});
