import { describe, expect, it } from 'vitest';
import type { ComposeSpec } from '../../../core/catalog/compose';
import { toDialect } from '../../../core/compose/dialect';

const svc = (body: Record<string, unknown>, top: Record<string, unknown> = {}): ComposeSpec => ({
  services: { a: { image: 'x', ...body }, db: { image: 'db' } },
  ...top,
});

function v1(spec: ComposeSpec) {
  const r = toDialect(spec, 'v1');
  if (!r.ok) throw new Error(`refused: ${r.reasons.join('; ')}`);
  return r;
}
function refusedBy(dialect: 'v1' | 'v2', spec: ComposeSpec): string[] {
  const r = toDialect(spec, dialect);
  if (r.ok) throw new Error('expected a refusal');
  return r.reasons;
}

describe('toDialect v1 (docker-compose 1.29) translations', () => {
  it('drops the top-level name', () => {
    const r = v1(svc({}, { name: 'app' }));
    expect(r.spec.name).toBeUndefined();
    expect(r.notes.join()).toMatch(/"name" was dropped/);
  });

  it('writes boolean environment values as the strings Compose v2 passes; numbers and null stay', () => {
    expect(v1(svc({ environment: { A: true, B: false, C: 1, D: null } })).spec.services.a.environment).toEqual({ A: 'true', B: 'false', C: 1, D: null });
  });

  it('drops command: null and entrypoint: null', () => {
    const a = v1(svc({ command: null, entrypoint: null })).spec.services.a;
    expect('command' in a || 'entrypoint' in a).toBe(false);
  });

  it('env_file long form becomes the path list when required; optional files are refused', () => {
    expect(v1(svc({ env_file: ['a.env', { path: 'b.env', required: true }, { path: 'c.env' }] })).spec.services.a.env_file).toEqual([
      'a.env',
      'b.env',
      'c.env',
    ]);
    expect(refusedBy('v1', svc({ env_file: [{ path: 'd.env', required: false }] })).join()).toMatch(/service "a": env_file "d.env" is optional/);
  });

  it('depends_on: keeps condition, drops restart and required of a defined service, refuses an optional undefined one', () => {
    const r = v1(svc({ depends_on: { db: { condition: 'service_healthy', restart: true, required: false } } }));
    expect(r.spec.services.a.depends_on).toEqual({ db: { condition: 'service_healthy' } });
    expect(r.notes.join()).toMatch(/"restart" was dropped/);
    expect(refusedBy('v1', svc({ depends_on: { cache: { condition: 'service_started', required: false } } })).join()).toMatch(/depends_on "cache"/);
  });

  it('healthcheck start_interval dropped with a note; start_period kept', () => {
    const r = v1(svc({ healthcheck: { test: ['CMD', 'x'], start_period: '5s', start_interval: '1s' } }));
    expect(r.spec.services.a.healthcheck).toEqual({ test: ['CMD', 'x'], start_period: '5s' });
  });

  it('long ports with host_ip become the short form; long devices the short form; pull_policy missing -> if_not_present', () => {
    const a = v1(
      svc({
        ports: [
          { target: 80, published: 8080, host_ip: '127.0.0.1', protocol: 'tcp', name: 'web' },
          { target: 90, published: '9090' },
        ],
        devices: [{ source: '/dev/a', target: '/dev/b', permissions: 'rw' }],
        pull_policy: 'missing',
      }),
    ).spec.services.a;
    expect(a.ports).toEqual(['127.0.0.1:8080:80/tcp', { target: 90, published: '9090' }]);
    expect(a.devices).toEqual(['/dev/a:/dev/b:rw']);
    expect(a.pull_policy).toBe('if_not_present');
  });

  it('bind create_host_path: true is dropped (v1 creates the folder)', () => {
    expect(v1(svc({ volumes: [{ type: 'bind', source: './d', target: '/d', bind: { create_host_path: true } }] })).spec.services.a.volumes).toEqual([
      { type: 'bind', source: './d', target: '/d' },
    ]);
  });

  it.each([
    ['configs (v1 ignores them)', svc({ configs: ['c'] }, { configs: { c: { content: 'x' } } }), /configs/],
    ['a service key newer than 1.29', svc({ post_start: [{ command: ['x'] }] }), /service "a": "post_start" is not known/],
    ['gpus', svc({ gpus: 'all' }), /"gpus"/],
    ['a build key newer than 1.29', svc({ build: { context: '.', dockerfile_inline: 'FROM x' } }), /build "dockerfile_inline"/],
    ['a network entry key', svc({ networks: { default: { mac_address: 'x' } } }), /networks "default": "mac_address"/],
    ['a mount option', svc({ volumes: [{ type: 'volume', source: 'v', target: '/v', volume: { subpath: 'a' } }] }), /volume "subpath"/],
    ['a resource limit newer than 1.29', svc({ deploy: { resources: { limits: { memory: '1g', pids: 10 } } } }), /limits "pids"/],
    ['an unknown pull policy', svc({ pull_policy: 'daily' }), /pull_policy "daily"/],
    ['a secret from the environment', svc({}, { secrets: { s: { environment: 'HOME' } } }), /secrets "s": "environment"/],
  ])('refuses %s, naming it', (_what, spec, reason) => {
    expect(refusedBy('v1', spec).join('; ')).toMatch(reason);
  });
});

describe('toDialect v2 (Compose 2.26)', () => {
  it('keeps what 2.26 knows as is', () => {
    const spec = svc({ post_start: [{ command: ['x'] }], gpus: 'all', healthcheck: { test: ['CMD', 'x'], start_interval: '1s' } }, { name: 'app' });
    expect(toDialect(spec, 'v2')).toEqual({ ok: true, spec, notes: [] });
  });

  it.each([
    ['provider', svc({ provider: { type: 'model' } }), /service "a": "provider"/],
    ['use_api_socket', svc({ use_api_socket: true }), /"use_api_socket"/],
    ['label_file (2.26 drops it)', svc({ label_file: './l' }), /"label_file"/],
    ['top-level models', svc({}, { models: { m: {} } }), /top-level "models"/],
    ['network gw_priority', svc({ networks: { default: { gw_priority: 1 } } }), /networks "default": "gw_priority"/],
    ['pull_policy daily', svc({ pull_policy: 'daily' }), /pull_policy "daily"/],
  ])('refuses %s', (_what, spec, reason) => {
    expect(refusedBy('v2', spec).join('; ')).toMatch(reason);
  });
});
