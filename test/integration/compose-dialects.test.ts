/**
 * The resolution of include/extends and the per-dialect rendering against the real Compose binaries
 * (`docker compose` 2.26 and `docker-compose` 1.29; `config` needs no daemon): the one resolved file
 * equals what Compose itself merges from the unresolved files, and every toDialect output that says
 * ok is accepted by that dialect's `config -q`, for the 40 CasaOS app-store files.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCompose, type ComposeSpec } from '../../core/catalog/compose';
import { parseYamlBounded, stringifyCompose } from '../../core/catalog/yaml-io';
import { toDialect, type ComposeDialect } from '../../core/compose/dialect';
import { resolveIncludes } from '../../core/compose/include';
import { commandWorks, requireOrSkip } from '../helpers/requirements';

const run = promisify(execFile);
const V1 = process.env.COMPOSE_V1 ?? '/usr/bin/docker-compose';
const V2 = process.env.COMPOSE_V2 ?? '/usr/libexec/docker/cli-plugins/docker-compose';
const CASAOS = process.env.CASAOS_PATH ?? fileURLToPath(new URL('../../../shared/corpus/appstore-sample/casaos/', import.meta.url));
const available =
  requireOrSkip('docker-compose (v1)', commandWorks(V1, ['version']), `${V1} not runnable`) &&
  requireOrSkip('docker compose (v2)', commandWorks(V2, ['version']), `${V2} not runnable`);

const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
/** `config` of one file by one dialect: [exit ok, stdout or the error's first line]. */
async function config(dialect: ComposeDialect, dir: string, file: string, args: string[]): Promise<[boolean, string]> {
  const cmd = dialect === 'v1' ? V1 : V2;
  try {
    const { stdout } = await run(cmd, ['-p', 'dialects', '-f', file, '--project-directory', dir, 'config', ...args], { cwd: dir, env: ENV, timeout: 60_000 });
    return [true, stdout];
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return [false, (err.stderr || err.message).trim().split('\n').slice(-1)[0]];
  }
}

const read = (text: string, what: string) => parseYamlBounded(text, what).value;
const work = mkdtempSync(join(tmpdir(), 'compose-dialects-'));

/** An app as a publisher ships it: a compose that includes one file and extends a service of another. */
const APP: Record<string, string> = {
  'docker-compose.yml': [
    'include:',
    '  - inc.yml',
    'services:',
    '  web:',
    '    extends: {file: conf/base.yml, service: base}',
    '    ports: ["8081:80", "127.0.0.1:9090:90"]',
    '    volumes: ["./web:/data"]',
    '    environment: [B=3, C=4]',
    '    labels: {l2: c}',
    '    dns: [8.8.8.8, 1.1.1.1]',
    '    command: [serve]',
    '    healthcheck: {test: [CMD, ok]}',
    '  worker:',
    '    extends: web',
    '    command: [work]',
    '    cap_add: [SYS_NICE]',
    '',
  ].join('\n'),
  'conf/base.yml': [
    'services:',
    '  base:',
    '    image: nginx:1.25',
    '    build: ./ctx',
    '    ports: ["8080:80"]',
    '    volumes: ["./data:/data", "./logs:/logs", "cache:/cache"]',
    '    environment: {A: "1", B: "2"}',
    '    labels: [l1=a, l2=b]',
    '    dns: [1.1.1.1]',
    '    cap_add: [NET_ADMIN]',
    '    command: [base]',
    '    logging: {driver: json-file, options: {max-size: 1m}}',
    '    healthcheck: {test: [CMD, base], interval: 10s}',
    '',
  ].join('\n'),
  'inc.yml': [
    'services:',
    '  evil:',
    '    image: alpine',
    '    privileged: true',
    '    network_mode: host',
    '    volumes: ["/:/host", "/var/run/docker.sock:/var/run/docker.sock", "./inc-data:/d"]',
    'volumes:',
    '  cache: {}',
    '',
  ].join('\n'),
};

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!available)('include and extends resolve to what Compose itself merges', () => {
  const dir = join(work, 'app');
  for (const [rel, text] of Object.entries(APP)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  mkdirSync(join(dir, 'conf/ctx'), { recursive: true });
  const { 'docker-compose.yml': main, ...files } = APP;
  const resolved = resolveIncludes(read(main, 'compose file') as Record<string, unknown>, files, read) as ComposeSpec;
  writeFileSync(join(dir, 'resolved.yml'), stringifyCompose(resolved));

  it('the privileged service of the included file is in the one resolved file', () => {
    expect(resolved.services.evil).toMatchObject({ privileged: true, network_mode: 'host' });
    expect(resolved.include).toBeUndefined();
    expect(resolved.services.web.extends).toBeUndefined();
  });

  it('docker compose (v2) merges the unresolved files into the same services as the resolution', async () => {
    const [okA, a] = await config('v2', dir, 'docker-compose.yml', ['--format', 'json']);
    const [okB, b] = await config('v2', dir, 'resolved.yml', ['--format', 'json']);
    expect([okA, okB], `${a}\n${b}`).toEqual([true, true]);
    const [ja, jb] = [JSON.parse(a), JSON.parse(b)];
    expect(jb.services).toEqual(ja.services);
    expect(jb.volumes).toEqual(ja.volumes);
  });

  it('docker-compose (v1) accepts the resolution rendered for v1', async () => {
    const v1 = toDialect(resolved, 'v1');
    expect(v1.ok, v1.ok ? '' : v1.reasons.join('; ')).toBe(true);
    if (!v1.ok) return;
    writeFileSync(join(dir, 'resolved-v1.yml'), stringifyCompose(v1.spec));
    const [ok, out] = await config('v1', dir, 'resolved-v1.yml', ['-q']);
    expect(ok, out).toBe(true);
  });
});

/** The store's variables, mapped as a publisher would (see the sample's README). */
function substituteStoreVariables(text: string, app: string): string {
  const values: Record<string, string> = { AppID: app.toLowerCase(), TZ: 'Etc/UTC', PUID: '1000', PGID: '1000', OPENAI_ACCESS_TOKEN: 'token' };
  return text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (m, name: string) => values[name] ?? m);
}

describe.skipIf(!available)('toDialect output of every CasaOS file is accepted by that Compose', () => {
  const apps = readdirSync(CASAOS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const tally: Record<ComposeDialect, { ok: number; refused: string[] }> = { v1: { ok: 0, refused: [] }, v2: { ok: 0, refused: [] } };

  it('has the 40 files', () => expect(apps).toHaveLength(40));

  for (const app of apps) {
    it(app, async () => {
      const text = substituteStoreVariables(readFileSync(join(CASAOS, app, 'docker-compose.yml'), 'utf8'), app);
      const spec = parseCompose(text).value;
      const dir = join(work, 'casaos', app);
      mkdirSync(dir, { recursive: true });
      for (const dialect of ['v1', 'v2'] as const) {
        const r = toDialect(spec, dialect);
        if (!r.ok) {
          tally[dialect].refused.push(`${app}: ${r.reasons.join('; ')}`);
          continue;
        }
        writeFileSync(join(dir, `${dialect}.yml`), stringifyCompose(r.spec));
        const [ok, out] = await config(dialect, dir, `${dialect}.yml`, ['-q']);
        expect(ok, `${dialect}: ${out}`).toBe(true);
        tally[dialect].ok++;
      }
    });
  }

  it('reports how many each dialect runs', () => {
    console.log(
      `v2: ${tally.v2.ok} accepted, ${tally.v2.refused.length} refused\nv1: ${tally.v1.ok} accepted, ${tally.v1.refused.length} refused:\n  ${tally.v1.refused.join('\n  ')}`,
    );
    expect(tally.v2.ok).toBe(apps.length);
  });
});
