import { describe, expect, it } from 'vitest';
import { renderVhost, VhostError } from '../../../agent/apache/vhost';
import { loadConfig } from '../../../agent/config';
import { acmeNames } from '../../../agent/tls/acme';

const base = {
  identifier: 'radarr',
  domain: 'home.example.org',
  hostPort: 35007,
  logDir: '/var/log/apache2/hda-apps/radarr',
  listenPort: 80,
  acmeWebroot: '/var/www/hda-agent-acme',
};
const tls = { port: 443, certPath: '/var/lib/hda-agent/tls/apps/radarr.crt', keyPath: '/var/lib/hda-agent/tls/apps/radarr.key' };

function plainPart(v: string): string[] {
  return v
    .slice(0, v.indexOf('</VirtualHost>'))
    .split('\n')
    .map((l) => l.trim());
}

describe('the plain vhost answers the ACME HTTP-01 challenge itself', () => {
  it('serves the challenge folder and excludes it from the proxy, before the proxy', () => {
    const lines = plainPart(renderVhost(base));
    const alias = lines.indexOf('Alias /.well-known/acme-challenge/ "/var/www/hda-agent-acme/.well-known/acme-challenge/"');
    const exclude = lines.indexOf('ProxyPass /.well-known/acme-challenge/ !');
    expect(alias).toBeGreaterThan(0);
    expect(lines).toContain('<Directory "/var/www/hda-agent-acme/.well-known/acme-challenge">');
    expect(exclude).toBeGreaterThan(alias);
    expect(lines.indexOf('ProxyPass / http://127.0.0.1:35007/')).toBeGreaterThan(exclude);
  });

  it('leaves the challenge path out of the redirect to HTTPS', () => {
    const lines = plainPart(renderVhost({ ...base, tls: { ...tls, redirect: true } }));
    expect(lines).toContain('RedirectMatch permanent ^/(?!\\.well-known/acme-challenge/)(.*)$ https://radarr.home.example.org/$1');
    expect(lines.some((l) => l.startsWith('Redirect permanent /'))).toBe(false);
  });

  it('without ACME nothing about the challenge is written', () => {
    const v = renderVhost({ ...base, acmeWebroot: undefined, tls: { ...tls, redirect: true } });
    expect(v).not.toContain('acme-challenge');
    expect(v).toContain('Redirect permanent / https://radarr.home.example.org/');
  });

  it('refuses a webroot that could add a directive', () => {
    expect(() => renderVhost({ ...base, acmeWebroot: '/var/www/x"\nInclude /etc/shadow' })).toThrow(VhostError);
    expect(() => renderVhost({ ...base, acmeWebroot: 'relative/dir' })).toThrow(/ACME webroot/);
  });
});

describe('ACME settings', () => {
  it('defaults to the HDA own CA; acme needs a contact address', () => {
    expect(loadConfig({}, {}).tls).toBe('ca');
    expect(() => loadConfig({ tls: 'acme' }, {})).toThrow(/--tls acme needs --acme-email/);
    expect(() => loadConfig({ tls: 'letsencrypt' }, {})).toThrow(/tls must be ca or acme/);
    expect(() => loadConfig({ tls: 'acme', 'acme-email': 'x' }, {})).toThrow(/not an email address/);
    expect(() => loadConfig({ 'acme-directory': 'http://ca.example/dir' }, {})).toThrow(/https URL/);
    const c = loadConfig({ tls: 'acme', 'acme-email': 'owner@example.org' }, {});
    expect(c.acmeDirectory).toBe('https://acme-v02.api.letsencrypt.org/directory');
  });

  it('orders only names with a dot (a bare identifier cannot be validated publicly)', () => {
    expect(acmeNames(['radarr.home.example.org', 'radarr', 'movies.example.org', 'radarr.home.example.org'])).toEqual([
      'radarr.home.example.org',
      'movies.example.org',
    ]);
  });
});
