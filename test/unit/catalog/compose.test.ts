import { describe, expect, it } from 'vitest';
import { parseCompose } from '../../../core/catalog/compose';
import { ComposeError } from '../../../core/catalog/errors';
import { listHostPorts } from '../../../core/catalog/ports';
import { stringifyCompose } from '../../../core/catalog/yaml-io';
import { readCompose } from '../../../core/compose/model';

/** The one reading path (core/compose/model.ts), serialized as the catalog stores it. */
function normalizeCompose(text: string) {
  const read = readCompose(text);
  if (!read.ok) throw new Error(JSON.stringify(read.findings));
  return { compose: stringifyCompose(read.model.spec), findings: read.notes, doc: read.model.doc };
}

const spec = (text: string) => parseCompose(normalizeCompose(text).compose).value;

describe('normalizeCompose: Compose v1 to the Compose Specification', () => {
  it('moves top-level services under services:, keeps their keys and order', () => {
    const out = normalizeCompose('web:\n  image: nginx\n  ports:\n    - "HOST_PORT:80"\ndb:\n  image: mysql\n');
    expect(out.compose).toBe('services:\n  web:\n    image: nginx\n    ports:\n      - "HOST_PORT:80"\n  db:\n    image: mysql\n');
    expect(out.doc.format).toBe('v1');
    expect(out.findings).toContainEqual(expect.objectContaining({ rule: 'compose-v1-converted' }));
  });

  it('renames v1 keys: net -> network_mode, dockerfile -> build.dockerfile, log_driver -> logging', () => {
    const v = spec('a:\n  build: .\n  dockerfile: Dockerfile.alt\n  net: bridge\n  log_driver: syslog\n  log_opt:\n    tag: a\n');
    expect(v.services.a).toEqual({
      build: { context: '.', dockerfile: 'Dockerfile.alt' },
      network_mode: 'bridge',
      logging: { driver: 'syslog', options: { tag: 'a' } },
    });
  });

  it('environment in list and map form, multi-line block values kept exactly', () => {
    const v = spec(
      'a:\n  image: x\n  environment:\n    - A=1\n    - B=two words\nb:\n  image: y\n  environment:\n    CFG: |\n      line one\n      line 2: x\n    N: 3\n',
    );
    expect(v.services.a.environment).toEqual(['A=1', 'B=two words']);
    expect(v.services.b.environment).toEqual({ CFG: 'line one\nline 2: x\n', N: 3 });
  });

  it('quoted and unquoted ports and volumes; 22:22 stays the string the author meant and is quoted', () => {
    const out = normalizeCompose(
      "a:\n  image: x\n  ports:\n    - 8080:80\n    - '2224:22'\n    - 22:22\n    - 9000\n  volumes:\n    - ./data:/data\n    - '/etc/localtime:/etc/localtime:ro'\n",
    );
    const v = parseCompose(out.compose).value;
    expect(v.services.a.ports).toEqual(['8080:80', '2224:22', '22:22', 9000]);
    expect(v.services.a.volumes).toEqual(['./data:/data', '/etc/localtime:/etc/localtime:ro']);
    expect(out.compose).toContain('- "22:22"');
    expect(out.findings).toContainEqual(expect.objectContaining({ rule: 'yaml-ambiguous', line: 6 }));
  });

  it('keeps v2/v3 content, drops the obsolete version key', () => {
    const out = normalizeCompose('version: "3.7"\nservices:\n  a:\n    image: x\nvolumes:\n  data: {}\n');
    expect(out.doc.format).toBe('v3');
    expect(parseCompose(out.compose).value).toEqual({ services: { a: { image: 'x' } }, volumes: { data: {} } });
    expect(out.findings).toContainEqual(expect.objectContaining({ rule: 'compose-version-dropped' }));
    expect(normalizeCompose('version: "2"\nservices:\n  a:\n    build: .\n').doc.format).toBe('v2');
  });

  it('resolves merge keys so nothing hides behind an alias', () => {
    const v = spec('x-base: &b\n  image: x\n  privileged: true\nservices:\n  a:\n    <<: *b\n');
    expect(v.services.a).toEqual({ image: 'x', privileged: true });
  });

  it('reports source lines for paths of the normalized form', () => {
    const doc = parseCompose('# c\nweb:\n  image: x\n  ports:\n    - "1:2"\n    - "3:4"\n');
    expect(doc.lineOf(['services', 'web', 'ports', 1])).toBe(6);
    expect(doc.lineText(6)).toBe('    - "3:4"');
  });

  it('lists fixed host ports', () => {
    expect(listHostPorts(parseCompose('a:\n  image: x\n  ports: ["HOST_PORT:80", "2224:22", "7000-7002:7000-7002/udp"]\n'), 35001)).toEqual([
      2224, 7000, 7001, 7002, 35001,
    ]);
  });
});

describe('normalizeCompose: refusals', () => {
  const refuse = (text: string, rule: string) => {
    try {
      normalizeCompose(text);
    } catch (e) {
      expect(e).toBeInstanceOf(ComposeError);
      expect((e as ComposeError).rule).toBe(rule);
      return (e as ComposeError).message;
    }
    throw new Error(`expected ${rule}`);
  };
  it.each([
    ['', 'compose-empty'],
    ['   \n# only a comment\n', 'compose-empty'],
    ['- a\n- b\n', 'compose-not-mapping'],
    ['just a string', 'compose-not-mapping'],
    ['a: [unclosed\n', 'yaml'],
    ['a: 1\na: 2\n', 'yaml'],
    ['services: []\n', 'compose-no-services'],
    ['services: {}\n', 'compose-no-services'],
    ['web:\n  ports: ["80:80"]\n', 'service-no-image'],
    ['web: nginx\n', 'service-not-mapping'],
    ['"bad name!":\n  image: x\n', 'service-name'],
    ['version: [1]\nservices:\n  a: {image: x}\n', 'compose-version'],
  ])('%j -> %s', (text, rule) => {
    refuse(text, rule);
  });

  it('an alias bomb is refused quickly by the alias limit', () => {
    const bomb = [
      'a: &a [x,x,x,x,x,x,x,x,x]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n');
    const t = Date.now();
    expect(refuse(bomb, 'yaml-aliases')).toMatch(/alias/i);
    expect(Date.now() - t).toBeLessThan(2000);
  });

  it('deep nesting and oversized files are refused', () => {
    refuse(`a: ${'['.repeat(200)}${']'.repeat(200)}`, 'yaml-depth');
    refuse(`a: ${'x'.repeat(300 * 1024)}`, 'compose-too-large');
  });
});
