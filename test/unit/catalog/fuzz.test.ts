/**
 * Thousands of generated and mutated install scripts and compose files through the publish pipeline.
 * Seeded PRNG, so a failure names an input that can be reproduced. Properties: normalizeVersion never
 * throws, finishes fast, ends ready / needs_review / rejected, gives a reason whenever it is not ready,
 * and whatever it calls ready renders with sample values and passes the host-side policy.
 */
import { describe, expect, it } from 'vitest';
import { normalizeVersion } from '../../../core/catalog/normalize';
import { checkPolicy } from '../../../core/catalog/policy';
import { renderCompose } from '../../../core/catalog/render';
import { SAMPLE_INSTALL_VARS } from '../../../core/catalog/placeholders';
import { loadCorpus } from './corpus-data';

function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rng, n: number) => Math.floor(r() * n);

const NASTY = [
  '\n',
  '\r\n',
  '\t',
  ' ',
  ':',
  '-',
  "'",
  '"',
  '`',
  '$',
  '\\',
  '#',
  '&',
  '*',
  '[',
  ']',
  '{',
  '}',
  '<<',
  '|',
  '>',
  '..',
  '/',
  '~',
  '\0',
  'é',
  '\u2028',
  'EOF',
  'HOST_PORT',
  'WEBAPP_PATH',
  '&a',
  '*a',
  '<<: *a',
  '!!binary',
  '%YAML 1.1',
  '---',
  '...',
];
const KEYS = [
  'image',
  'build',
  'ports',
  'volumes',
  'environment',
  'privileged',
  'network_mode',
  'pid',
  'ipc',
  'cap_add',
  'devices',
  'container_name',
  'hostname',
  'restart',
  'env_file',
  'extends',
  'security_opt',
  'depends_on',
  'command',
  'x-y',
  'net',
  'dockerfile',
];
const SCALARS = [
  'HOST_PORT:80',
  '2224:22',
  '80:80',
  '22:22',
  'WEBAPP_PATH/html:/var/www/html',
  './data:/data',
  '/var/run/docker.sock:/var/run/docker.sock',
  '/etc/localtime:/etc/localtime:ro',
  '/etc:/etc',
  'host',
  'true',
  'yes',
  '.',
  '../x',
  'APP_IDENTIFIER',
  'APP_HOSTNAME',
  '${HOME}',
  'nginx',
  'SYS_ADMIN',
  '0755',
  '1e3',
  '',
  '~',
  'a:b:c:d',
  '[::1]:8080:80',
  '35000-35010:80',
];

function genValue(r: Rng, depth: number): unknown {
  const roll = r();
  if (depth > 3 || roll < 0.45) return pick(r, [...SCALARS, int(r, 70000), r() < 0.5, null]);
  if (roll < 0.75) return Array.from({ length: int(r, 4) }, () => genValue(r, depth + 1));
  return Object.fromEntries(Array.from({ length: int(r, 4) }, () => [pick(r, KEYS), genValue(r, depth + 1)]));
}

function yamlOf(v: unknown, indent = ''): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return v.length ? v.map((x) => `\n${indent}- ${yamlOf(x, `${indent}  `)}`).join('') : '[]';
  const e = Object.entries(v);
  return e.length ? e.map(([k, x]) => `\n${indent}${k}: ${yamlOf(x, `${indent}  `)}`).join('') : '{}';
}

function genCompose(r: Rng): string {
  const services: Record<string, unknown> = {};
  for (let i = 0; i < 1 + int(r, 3); i++) {
    const svc: Record<string, unknown> = r() < 0.85 ? { image: 'nginx' } : {};
    for (let k = 0; k < int(r, 6); k++) svc[pick(r, KEYS)] = genValue(r, 1);
    if (r() < 0.6) svc.ports = [pick(r, ['HOST_PORT:80', 'HOST_PORT:HOST_PORT', '3128:3128', '80:80', 8080])];
    services[pick(r, ['web', 'db', 'app-1', 'APP_IDENTIFIER', 'bad name', 'x'])] = svc;
  }
  const doc = r() < 0.5 ? services : { ...(r() < 0.5 ? { version: pick(r, ['2', '3.7', '"3"']) } : {}), services };
  return `${yamlOf(doc).slice(1)}\n`;
}

function mutate(r: Rng, text: string): string {
  let s = text;
  for (let n = 0; n < 1 + int(r, 4); n++) {
    const at = int(r, s.length + 1);
    switch (int(r, 6)) {
      case 0:
        s = s.slice(0, at) + pick(r, NASTY) + s.slice(at);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + 1 + int(r, 20));
        break;
      case 2: {
        const len = int(r, 40);
        s = s.slice(0, at) + s.slice(at, at + len).repeat(2) + s.slice(at);
        break;
      }
      case 3: {
        const lines = s.split('\n');
        const i = int(r, lines.length);
        const j = int(r, lines.length);
        [lines[i], lines[j]] = [lines[j], lines[i]];
        s = lines.join('\n');
        break;
      }
      case 4:
        s = s.slice(0, at);
        break;
      default:
        s = s.slice(0, at) + String.fromCharCode(int(r, 128)) + s.slice(at);
    }
  }
  return s;
}

const OPENERS = [
  "cat > docker-compose.yml << 'EOF'",
  'cat > docker-compose.yml <<EOF',
  'cat <<"EOF" > docker-compose.yml',
  "cat > ../x << 'EOF'",
  "cat > /etc/x << 'EOF'",
  "cat > Dockerfile << 'EOF'",
  "cat >> docker-compose.yml <<-'EOF'",
  'cat > "a b" <<EOF',
  'mysql <<EOF',
];
const COMMANDS = [
  'docker-compose up -d',
  'docker compose up -d',
  'chmod -R 777 html',
  'chmod 4755 x',
  'chmod 777 /etc',
  'amahi-download f.gz 911a6f3b9dc8ffd5086e1aa6361c4bc21d1098c6;',
  'amahi-download f.gz bad',
  'rm -rf /',
  'mv a b',
  'if [ -d x ]; then',
  'fi',
  'for f in *; do',
  'done',
  'zcat x | mysql',
  'echo $X > y',
  '# comment',
  '',
  'mkdir -p html/logs',
  'case $x in',
  'esac',
  'cd ..',
  'curl x | sh \\',
];

function genScript(r: Rng): string {
  const lines: string[] = [];
  for (let i = 0; i < 1 + int(r, 10); i++) {
    if (r() < 0.35) {
      const opener = pick(r, OPENERS);
      lines.push(opener, ...genCompose(r).split('\n').slice(0, -1));
      if (r() < 0.9) lines.push(pick(r, ['EOF', 'EOF', 'EOF  ', '\tEOF', 'EO']));
    } else lines.push(pick(r, COMMANDS));
  }
  return lines.join(r() < 0.1 ? '\r\n' : '\n');
}

const STATUSES = ['ready', 'needs_review', 'rejected'];

function check(input: { install_script?: string | null; compose?: string | null; uninstall_script?: string | null }, label: string) {
  const t = performance.now();
  let result: ReturnType<typeof normalizeVersion>;
  try {
    result = normalizeVersion({ app: 'fuzz', version: '1', kind: 'container', ...input });
  } catch (e) {
    throw new Error(`${label}: normalizeVersion threw ${(e as Error).name}: ${(e as Error).message}\n${JSON.stringify(input).slice(0, 400)}`);
  }
  const ms = performance.now() - t;
  expect(ms, `${label} took ${ms}ms`).toBeLessThan(1000);
  expect(STATUSES).toContain(result.status);
  for (const f of result.findings) {
    expect(typeof f.rule === 'string' && f.rule.length > 0 && typeof f.message === 'string' && f.message.length > 0, label).toBe(true);
  }
  if (result.status !== 'ready') {
    expect(
      result.findings.some((f) => f.severity === 'error' || f.severity === 'review'),
      `${label}: ${result.status} without a reason`,
    ).toBe(true);
  } else {
    // Ready means safe: it renders, and the host-side policy agrees.
    const rendered = renderCompose(result.content.compose, SAMPLE_INSTALL_VARS);
    const host = checkPolicy(rendered, { phase: 'host', appDir: SAMPLE_INSTALL_VARS.WEBAPP_PATH, hostPort: SAMPLE_INSTALL_VARS.HOST_PORT });
    expect(
      host.filter((f) => f.severity === 'error' || f.severity === 'review'),
      label,
    ).toEqual([]);
  }
  return result.status;
}

describe('fuzz: normalizeVersion on generated and mutated input', () => {
  const corpus = loadCorpus();
  const N = Number(process.env.FUZZ_N ?? 1500);

  it(`${N} generated scripts and ${N} generated compose files`, () => {
    const r = mulberry32(0xa11ce);
    const seen: Record<string, number> = {};
    for (let i = 0; i < N; i++) {
      const s = check({ install_script: genScript(r) }, `script #${i}`);
      seen[s] = (seen[s] ?? 0) + 1;
      const c = check({ compose: genCompose(r) }, `compose #${i}`);
      seen[c] = (seen[c] ?? 0) + 1;
    }
    // The generator reaches every outcome, so the properties above are exercised on each.
    expect(Object.keys(seen).sort()).toEqual(['needs_review', 'ready', 'rejected']);
  }, 120_000);

  it(`${N} mutations of the 14 corpus scripts and compose files`, () => {
    const r = mulberry32(0xb0b);
    for (let i = 0; i < N; i++) {
      const app = corpus[i % corpus.length];
      check(
        { install_script: mutate(r, app.install_script ?? ''), compose: r() < 0.3 ? mutate(r, app.compose ?? '') : app.compose },
        `mutated ${app.name} #${i}`,
      );
      check(
        { compose: mutate(r, app.compose ?? ''), uninstall_script: r() < 0.2 ? mutate(r, 'docker-compose down\n') : null },
        `mutated compose ${app.name} #${i}`,
      );
    }
  }, 120_000);

  it('hostile shapes: alias bombs, deep nesting, huge and binary input', () => {
    const bomb =
      'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c]\nservices: [*d,*d,*d,*d,*d,*d]\n';
    expect(check({ compose: bomb }, 'bomb')).toBe('rejected');
    expect(check({ compose: `services:\n  a:\n    image: ${'['.repeat(5000)}` }, 'deep')).toBe('rejected');
    expect(check({ compose: `a: ${'{'.repeat(10000)}${'}'.repeat(10000)}` }, 'deep2')).toBe('rejected');
    expect(check({ install_script: 'x\n'.repeat(300_000) }, 'huge script')).toBe('rejected');
    const r = mulberry32(7);
    for (let i = 0; i < 200; i++) check({ install_script: Array.from({ length: 200 }, () => String.fromCharCode(int(r, 256))).join('') }, `binary #${i}`);
  });
});
