import { describe, expect, it } from 'vitest';
import { ComposeError } from '../../../core/catalog/errors';
import { parseYamlBounded } from '../../../core/catalog/yaml-io';
import { resolveIncludes } from '../../../core/compose/include';
import { MAX_REFERENCE_DEPTH } from '../../../core/compose/sources';

const read = (text: string, what: string) => parseYamlBounded(text, what).value;
const resolve = (main: string, files: Record<string, string> = {}) =>
  resolveIncludes(read(main, 'compose file') as Record<string, unknown>, files, read) as {
    services: Record<string, Record<string, unknown>>;
    [k: string]: unknown;
  };

function refusal(main: string, files: Record<string, string> = {}): { rule: string; message: string } {
  try {
    resolve(main, files);
  } catch (e) {
    expect(e).toBeInstanceOf(ComposeError);
    return { rule: (e as ComposeError).rule, message: (e as ComposeError).message };
  }
  throw new Error('expected a refusal');
}

const EVIL =
  'services:\n  evil:\n    image: alpine\n    privileged: true\n    network_mode: host\n    volumes: ["/:/host", "/var/run/docker.sock:/var/run/docker.sock"]\n';

describe('include', () => {
  it('the attack: an included file shipped by a heredoc becomes part of the one compose, its privileged service visible', () => {
    const out = resolve('include: [inc.yml]\nservices:\n  web:\n    image: nginx\n', { 'inc.yml': EVIL });
    expect(out.include).toBeUndefined();
    expect(Object.keys(out.services)).toEqual(['web', 'evil']);
    expect(out.services.evil).toMatchObject({ privileged: true, network_mode: 'host', volumes: ['/:/host', '/var/run/docker.sock:/var/run/docker.sock'] });
  });

  it('long form, nested includes in sub-folders, resources merged, relative paths rebased to the app folder', () => {
    const out = resolve('include:\n  - path: conf/a.yml\n    project_directory: conf\nservices:\n  web:\n    image: x\n', {
      'conf/a.yml':
        'include: [b.yml]\nservices:\n  a:\n    image: a\n    build: ./ctx\n    volumes: ["./data:/data", "named:/n"]\n    env_file: [a.env]\nvolumes:\n  named: {}\nx-ignored: 1\n',
      'conf/b.yml': 'services:\n  b:\n    image: b\n    volumes: ["../top:/t"]\nsecrets:\n  s:\n    file: ./s.txt\n',
    });
    expect(out.services.a).toEqual({ image: 'a', build: './conf/ctx', volumes: ['./conf/data:/data', 'named:/n'], env_file: ['./conf/a.env'] });
    expect(out.services.b).toEqual({ image: 'b', volumes: ['./top:/t'] });
    expect(out.volumes).toEqual({ named: {} });
    expect(out.secrets).toEqual({ s: { file: './conf/s.txt' } });
    expect(out['x-ignored']).toBeUndefined();
  });

  it('path lists merge as override files', () => {
    const out = resolve('include:\n  - path: [a.yml, b.yml]\n', {
      'a.yml': 'services:\n  a:\n    image: a\n    environment: {A: "1"}\n',
      'b.yml': 'services:\n  a:\n    environment: {B: "2"}\n',
    });
    expect(out.services.a).toEqual({ image: 'a', environment: { A: '1', B: '2' } });
  });

  it.each([
    ['a path outside the app folder', 'include: [../x.yml]', 'include-file', /leaves the app folder/],
    ['an absolute path', 'include: [/etc/x.yml]', 'include-file', /absolute/],
    ['interpolation', 'include: ["${X}.yml"]', 'include-file', /interpolation/],
    ['a file the version does not ship', 'include: [nope.yml]', 'include-file', /not a file this version ships/],
    ['env_file', 'include:\n  - path: inc.yml\n    env_file: x.env', 'include-form', /env_file/],
    ['another project_directory', 'include:\n  - path: inc.yml\n    project_directory: other', 'include-form', /project_directory/],
    ['an unknown key', 'include:\n  - path: inc.yml\n    bogus: 1', 'include-form', /include entry/],
    ['a service defined twice', 'include: [inc.yml]\nservices:\n  evil:\n    image: x', 'include-conflict', /"evil"/],
  ])('refuses %s', (_what, main, rule, message) => {
    const r = refusal(main, { 'inc.yml': EVIL });
    expect(r.rule).toBe(rule);
    expect(r.message).toMatch(message);
  });

  it('refuses include cycles and nesting past the limit', () => {
    expect(refusal('include: [a.yml]', { 'a.yml': 'include: [b.yml]\n', 'b.yml': 'include: [a.yml]\n' }).rule).toBe('include-cycle');
    const chain: Record<string, string> = {};
    for (let i = 0; i <= MAX_REFERENCE_DEPTH + 1; i++) chain[`f${i}.yml`] = `include: [f${i + 1}.yml]\n`;
    chain[`f${MAX_REFERENCE_DEPTH + 2}.yml`] = 'services: {}\n';
    expect(refusal('include: [f0.yml]', chain).message).toMatch(/nest deeper/);
  });

  it('refuses a file included twice (each inclusion would be read and compared again)', () => {
    expect(
      refusal('include: [a.yml, b.yml]\n', { 'a.yml': 'include: [c.yml]\n', 'b.yml': 'include: [c.yml]\n', 'c.yml': 'volumes:\n  v: {}\n' }).message,
    ).toMatch(/"c.yml" is included more than once/);
  });

  it('refuses a resource an included file defines differently', () => {
    expect(refusal('include: [a.yml]\nvolumes:\n  v: {driver: local}\n', { 'a.yml': 'volumes:\n  v: {driver: other}\n' }).rule).toBe('include-conflict');
    expect(resolve('include: [a.yml]\nvolumes:\n  v: {}\n', { 'a.yml': 'volumes:\n  v: {}\n' }).volumes).toEqual({ v: {} });
  });
});

describe('extends', () => {
  const BASE = {
    'conf/base.yml': [
      'services:',
      '  base:',
      '    image: nginx',
      '    ports: ["8080:80", "9090:90"]',
      '    volumes: ["./data:/data", "./logs:/logs"]',
      '    environment: {A: "1", B: "2"}',
      '    labels: [l1=a, l2=b]',
      '    dns: [1.1.1.1]',
      '    command: [base, arg]',
      '    depends_on: [db]',
      '    healthcheck: {test: [CMD, base], interval: 10s}',
      '    logging: {driver: json-file, options: {max-size: 1m}}',
      '',
    ].join('\n'),
  };

  it('merges by Compose rules: mappings by key, command and healthcheck.test replaced, unique sequences by key, others appended once', () => {
    const out = resolve(
      [
        'services:',
        '  db:',
        '    image: db',
        '  web:',
        '    extends: {file: conf/base.yml, service: base}',
        '    ports: ["8081:80", "9090:90"]',
        '    volumes: ["./other:/data"]',
        '    environment: [B=3, C=4]',
        '    labels: {l2: c}',
        '    dns: [8.8.8.8, 1.1.1.1]',
        '    command: [web]',
        '    healthcheck: {test: [CMD, web]}',
        '    logging: {driver: syslog}',
      ].join('\n'),
      BASE,
    );
    expect(out.services.web).toEqual({
      image: 'nginx',
      ports: ['8080:80', '9090:90', '8081:80'],
      volumes: ['./other:/data', './conf/logs:/logs'],
      environment: { A: '1', B: '3', C: '4' },
      labels: { l1: 'a', l2: 'c' },
      dns: ['1.1.1.1', '8.8.8.8'],
      command: ['web'],
      depends_on: ['db'],
      healthcheck: { test: ['CMD', 'web'], interval: '10s' },
      logging: { driver: 'syslog' },
    });
  });

  it('same-file extends and chains; a privileged base is visible in the extending service', () => {
    const out = resolve('services:\n  a:\n    image: x\n    privileged: true\n  b:\n    extends: a\n    user: "1"\n  c:\n    extends: {service: b}\n');
    expect(out.services.c).toEqual({ image: 'x', privileged: true, user: '1' });
  });

  it.each([
    ['a cycle', 'services:\n  a:\n    image: x\n    extends: b\n  b:\n    image: y\n    extends: a\n', 'extends-cycle'],
    ['a missing service', 'services:\n  a:\n    extends: nope\n', 'extends-service'],
    ['a missing file', 'services:\n  a:\n    extends: {file: nope.yml, service: a}\n', 'extends-file'],
    ['a file outside the app folder', 'services:\n  a:\n    extends: {file: ../base.yml, service: a}\n', 'extends-file'],
    ['an interpolated file', 'services:\n  a:\n    extends: {file: $F, service: a}\n', 'extends-file'],
    ['an unknown extends key', 'services:\n  a:\n    extends: {service: b, bogus: 1}\n  b:\n    image: x\n', 'extends-form'],
    ['a list over a mapping', 'services:\n  a:\n    image: x\n    ulimits: {nofile: 1}\n  b:\n    extends: a\n    ulimits: [1]\n', 'extends-merge'],
  ])('refuses %s', (_what, main, rule) => {
    expect(refusal(main, BASE).rule).toBe(rule);
  });

  it('refuses extends that would copy far more than the files hold (a big base extended by many services)', () => {
    const env = Array.from({ length: 3000 }, (_, i) => `      K${i}: v`).join('\n');
    const many = Array.from({ length: 40 }, (_, i) => `  s${i}:\n    extends: {file: base.yml, service: b}`).join('\n');
    const r = refusal(`services:\n${many}\n`, { 'base.yml': `services:\n  b:\n    image: x\n    environment:\n${env}\n` });
    expect(r.rule).toBe('extends-size');
  });

  it('refuses chains past the depth limit', () => {
    const lines = ['services:', '  s0:', '    image: x'];
    for (let i = 1; i <= MAX_REFERENCE_DEPTH + 1; i++) lines.push(`  s${i}:`, `    extends: s${i - 1}`);
    expect(refusal(lines.join('\n')).rule).toBe('extends-depth');
  });
});
