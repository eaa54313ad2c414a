import { describe, expect, it } from 'vitest';
import { appLogDir, renderVhost, vhostFileName, VhostError } from '../../../agent/apache/vhost';

const base = {
  identifier: 'radarr',
  domain: 'home.lan',
  hostname: 'radarr.home.lan',
  hostPort: 35007,
  logDir: '/var/log/apache2/hda-apps/radarr',
  listenPort: 80,
};

describe('vhost from the Amahi app-container template', () => {
  it("names the app, aliases its FQDN, proxies to the host port and logs under Apache's log folder, not the app folder", () => {
    const v = renderVhost(base);
    const lines = v.split('\n').map((l) => l.trim());
    expect(lines).toContain('<VirtualHost *:80>');
    expect(lines).toContain('ServerName radarr');
    expect(lines).toContain('ServerAlias radarr.home.lan');
    expect(lines).toContain('ProxyPreserveHost On');
    expect(lines).toContain('ProxyPass / http://127.0.0.1:35007/');
    expect(lines).toContain('ProxyPassReverse / http://127.0.0.1:35007/');
    expect(lines).toContain('ErrorLog "/var/log/apache2/hda-apps/radarr/error_log"');
    expect(lines).toContain('CustomLog "/var/log/apache2/hda-apps/radarr/access_log" combined env=!dontlog');
    expect(v).not.toContain('/var/hda/web-apps');
    expect(lines.at(-2)).toBe('</VirtualHost>');
  });

  it('listens on the configured Apache port and adds a hostname that differs from <id>.<domain>', () => {
    const v = renderVhost({ ...base, listenPort: 18080, hostname: 'movies.example.org' });
    expect(v).toContain('<VirtualHost *:18080>');
    expect(v).toMatch(/ServerAlias radarr\.home\.lan movies\.example\.org\n/);
  });

  it("answers the names provider's aliases too (mDNS <app>.local), once each", () => {
    const v = renderVhost({ ...base, aliases: ['radarr.local', 'radarr.home.lan'] });
    expect(v).toMatch(/ServerAlias radarr\.home\.lan radarr\.local\n/);
    expect(() => renderVhost({ ...base, aliases: ['x.local\nInclude /etc/shadow'] })).toThrow(/alias/);
  });

  it.each([
    ['identifier with a newline', { identifier: 'radarr\nInclude /etc/shadow' }],
    ['identifier with a dot', { identifier: 'a.b' }],
    ['domain with a space', { domain: 'home lan' }],
    ['hostname with a quote', { hostname: 'x"y.lan' }],
    ['log folder with a quote', { logDir: '/var/log/apache2/"x' }],
    ['relative log folder', { logDir: 'logs/x' }],
    ['log folder with ..', { logDir: '/var/log/apache2/../../etc' }],
    ['port out of range', { hostPort: 70000 }],
    ['port not an integer', { hostPort: 35001.5 }],
  ])('refuses a %s', (_name, over) => {
    expect(() => renderVhost({ ...base, ...over } as typeof base)).toThrow(VhostError);
  });

  it('names the file hda-app-<identifier>.conf and refuses path tricks', () => {
    expect(vhostFileName('radarr')).toBe('hda-app-radarr.conf');
    expect(() => vhostFileName('../x')).toThrow(VhostError);
  });

  it("puts an app's logs in <apache log dir>/hda-apps/<identifier>, namespaced like its vhost file", () => {
    expect(appLogDir('/var/log/apache2', 'radarr')).toBe('/var/log/apache2/hda-apps/radarr');
    expect(appLogDir('/var/log/httpd/', 'radarr', 'lab1')).toBe('/var/log/httpd/hda-apps/lab1_radarr');
    expect(() => appLogDir('/var/log/apache2', '../etc')).toThrow(VhostError);
  });
});
