import { describe, expect, it } from 'vitest';
import { renderValue } from '../../../core/catalog/render';
import { SAMPLE_INSTALL_VARS } from '../../../core/catalog/placeholders';
import { parseYamlBounded, stringifyCompose } from '../../../core/catalog/yaml-io';
import { toDialect } from '../../../core/compose/dialect';
import type { ComposeSpec } from '../../../core/catalog/compose';
import { publishedOnPurpose, webPortOnLoopback } from '../../../core/compose/web-port';

const spec = (ports: string) => parseYamlBounded(`services:\n  web:\n    image: x\n    ports: ${ports}\n  db:\n    image: y\n`).value;
const ports = (s: unknown) => (s as { services: Record<string, { ports?: unknown[] }> }).services.web.ports;

describe('the web port is published on the loopback only', () => {
  it('binds HOST_PORT mappings to 127.0.0.1, whatever address the catalog wrote', () => {
    const out = webPortOnLoopback(spec('["HOST_PORT:80", "0.0.0.0:HOST_PORT:8080/udp", "[::]:HOST_PORT:81"]'));
    expect(ports(out)).toEqual(['127.0.0.1:HOST_PORT:80', '127.0.0.1:HOST_PORT:8080/udp', '127.0.0.1:HOST_PORT:81']);
  });

  it('adds host_ip to a long mapping of HOST_PORT and leaves other ports as written', () => {
    const out = webPortOnLoopback(spec('[{target: 80, published: HOST_PORT, host_ip: 0.0.0.0}, "2224:22", {target: 443, published: 8443}]'));
    expect(ports(out)).toEqual([{ target: 80, published: 'HOST_PORT', host_ip: '127.0.0.1' }, '2224:22', { target: 443, published: 8443 }]);
  });

  it('survives rendering and both Compose dialects with the address in place', () => {
    const rendered = renderValue(webPortOnLoopback(spec('["HOST_PORT:80", {target: 81, published: HOST_PORT}]')), SAMPLE_INSTALL_VARS) as ComposeSpec;
    for (const d of ['v1', 'v2'] as const) {
      const r = toDialect(rendered, d);
      expect(r.ok).toBe(true);
      const text = r.ok ? stringifyCompose(r.spec) : '';
      expect(text).toContain(`127.0.0.1:${SAMPLE_INSTALL_VARS.HOST_PORT}:80`);
      expect(text).not.toMatch(/- "?35001:/);
      expect(text).toMatch(/127\.0\.0\.1:35001:81|host_ip: "?127\.0\.0\.1/);
    }
  });

  it('does not touch the input and keeps services without a web port', () => {
    const input = spec('["HOST_PORT:80"]');
    const out = webPortOnLoopback(input) as { services: Record<string, unknown> };
    expect(ports(input)).toEqual(['HOST_PORT:80']);
    expect(out.services.db).toBe((input as { services: Record<string, unknown> }).services.db);
  });
});

describe('ports published on purpose', () => {
  it('lists fixed host ports with their address, not the web port', () => {
    expect(
      publishedOnPurpose(spec('["HOST_PORT:80", "2224:22", "0.0.0.0:7000-7001:7000-7001/udp", {target: 443, published: 8443, host_ip: 10.0.0.2}]')),
    ).toEqual([
      { service: 'web', host: '2224', container: '22', protocol: 'tcp' },
      { service: 'web', host: '0.0.0.0:7000-7001', container: '7000-7001', protocol: 'udp' },
      { service: 'web', host: '10.0.0.2:8443', container: '443', protocol: 'tcp' },
    ]);
    expect(publishedOnPurpose(spec('["HOST_PORT:80"]'))).toEqual([]);
    expect(publishedOnPurpose('nonsense')).toEqual([]);
  });
});
