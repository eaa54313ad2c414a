/**
 * What keeps the idle agent small: its static imports leave out what only a task needs, and the bin
 * runs the prebuilt bundle when (and only when) it was built from the sources in this tree.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import { AGENT_BUNDLE, bundleState, ROOT, sha256 } from '../../../agent/bin/bundle.mjs';

const run = promisify(execFile);
const BIN = join(ROOT, 'agent/bin/hda-agent.mjs');

it('an idle agent (CLI, poll loop, channel, heartbeat, facts) never loads dockerode, yaml, jose or the task steps', async () => {
  // Code splitting puts what is only imported dynamically in chunks of its own: walk the static edges.
  const out = await build({
    absWorkingDir: ROOT,
    entryPoints: ['agent/cli.ts'],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    outdir: '/nowhere',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const outputs = out.metafile.outputs;
  const entry = Object.keys(outputs).find((k) => outputs[k].entryPoint === 'agent/cli.ts')!;
  const inputs = new Set<string>();
  const packages = new Set<string>();
  const todo = [entry];
  const seen = new Set<string>();
  while (todo.length) {
    const o = todo.pop()!;
    if (seen.has(o)) continue;
    seen.add(o);
    for (const i of Object.keys(outputs[o].inputs)) inputs.add(i);
    for (const imp of outputs[o].imports) {
      if (imp.kind !== 'import-statement') continue;
      if (outputs[imp.path]) todo.push(imp.path);
      else packages.add(imp.path);
    }
  }
  // The one package an idle agent loads: ws, for the HDA channel it keeps open (its RSS is in bench/README.md).
  expect([...packages].filter((p) => !p.startsWith('node:'))).toEqual(['ws']);
  expect(inputs).toContain('agent/poll.ts');
  expect(inputs).toContain('agent/heartbeat.ts');
  for (const lazy of [
    'agent/executor/plans.ts',
    'agent/executor/fallback.ts',
    'agent/keys.ts',
    'core/catalog/compose.ts',
    'core/catalog/policy.ts',
    'core/catalog/signing.ts',
  ])
    expect(inputs).not.toContain(lazy);
});

it('the agent takes only types from the protocol schemas: no schema module (nor zod through one) is in its bundle', async () => {
  const out = await build({
    absWorkingDir: ROOT,
    entryPoints: ['agent/cli.ts'],
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    write: false,
    outfile: '/nowhere/agent.mjs',
    metafile: true,
    logLevel: 'silent',
  });
  const protocol = Object.keys(out.metafile.inputs).filter((i) => i.startsWith('core/protocol/'));
  // kinds.ts, limits.ts, lan-modes.ts and channel-frames.ts are plain constants; every other module of core/protocol builds zod schemas.
  expect(protocol.sort()).toEqual(['core/protocol/channel-frames.ts', 'core/protocol/kinds.ts', 'core/protocol/lan-modes.ts', 'core/protocol/limits.ts']);
});

it('the bin runs the bundle built from this tree (reporting the package version), and the sources through tsx when told to', async () => {
  await run(process.execPath, [join(ROOT, 'scripts/build-agent.mjs')], { cwd: ROOT });
  expect(bundleState()).toEqual({ fresh: true });
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  const env = { ...process.env, HDA_AGENT_FROM_SOURCE: '' };
  expect((await run(process.execPath, [BIN, '--version'], { env })).stdout.trim()).toBe(version);
  expect((await run(process.execPath, [BIN, '--version'], { env: { ...env, HDA_AGENT_FROM_SOURCE: '1' } })).stdout.trim()).toBe(version);
  // `run` says so on stderr when it takes the sources; it fails here at once (no enrollment).
  const state = mkdtempSync(join(tmpdir(), 'hda-bin-'));
  try {
    const bundled = await run(process.execPath, [BIN, 'run', '--state-dir', state], { env }).catch((e) => e);
    expect(bundled.stderr).not.toMatch(/through tsx/);
    expect(bundled.stdout).toMatch(/^hda-agent run: /);
    const source = await run(process.execPath, [BIN, 'run', '--state-dir', state], { env: { ...env, HDA_AGENT_FROM_SOURCE: '1' } }).catch((e) => e);
    expect(source.stderr).toMatch(/running the TypeScript sources through tsx \(HDA_AGENT_FROM_SOURCE=1;/);
    expect(source.stdout).toBe(bundled.stdout);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
  expect(readFileSync(AGENT_BUNDLE, 'utf8')).not.toMatch(/^import .* from "(dockerode|yaml|jose)"/m);
});

it('a bundle goes stale when an input changes or disappears, not when a file is only touched', () => {
  const root = mkdtempSync(join(tmpdir(), 'hda-fresh-'));
  try {
    const where = { root, bundle: join(root, 'b.mjs'), manifest: join(root, 'b.json') };
    expect(bundleState(where)).toEqual({ fresh: false, why: 'dist/hda-agent.mjs is not built' });
    writeFileSync(where.bundle, '');
    writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'b.ts'), 'export const b = 2;\n');
    const record = (rel: string) => {
      const p = join(root, rel);
      return { size: readFileSync(p).length, mtimeMs: 1_000_000, sha256: sha256(p) };
    };
    for (const rel of ['a.ts', 'b.ts']) utimesSync(join(root, rel), 1000, 1000); // mtimeMs 1,000,000
    writeFileSync(where.manifest, JSON.stringify({ inputs: { 'a.ts': record('a.ts'), 'b.ts': record('b.ts') } }));
    expect(bundleState(where)).toEqual({ fresh: true });
    utimesSync(join(root, 'a.ts'), 2000, 2000); // touched, same bytes
    expect(bundleState(where)).toEqual({ fresh: true });
    writeFileSync(join(root, 'a.ts'), 'export const a = 3;\n'); // same size, other bytes
    expect(bundleState(where)).toEqual({ fresh: false, why: 'a.ts changed since the build' });
    writeFileSync(join(root, 'a.ts'), 'export const a = 1;\n');
    rmSync(join(root, 'b.ts'));
    expect(bundleState(where)).toEqual({ fresh: false, why: 'b.ts is gone since the build' });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

it('dockerode works from the bundle, without loading ssh2 or gRPC (loaded only if Docker is reached over ssh, or for BuildKit sessions)', async () => {
  await run(process.execPath, [join(ROOT, 'scripts/build-agent.mjs')], { cwd: ROOT });
  const dir = mkdtempSync(join(tmpdir(), 'hda-bundle-docker-'));
  const socket = join(dir, 'docker.sock');
  const urls: string[] = [];
  const engine = createServer((req, res) => {
    urls.push(req.url ?? '');
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/version') return json({ Version: '27.5.1', ApiVersion: '1.45', MinAPIVersion: '1.24' });
    if (req.url?.startsWith('/v1.45/containers/json')) return json([{ Id: 'c1', State: 'running', Status: 'Up 2 minutes (healthy)', Labels: {} }]);
    if (req.url?.startsWith('/v1.45/containers/c1/stats')) {
      return json({
        cpu_stats: { cpu_usage: { total_usage: 300 }, system_cpu_usage: 2000, online_cpus: 2 },
        precpu_stats: { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 },
        memory_stats: { usage: 5 * 1048576, stats: { inactive_file: 1048576 } },
      });
    }
    res.writeHead(404).end('{}');
  });
  await new Promise<void>((r) => engine.listen(socket, r));
  try {
    const state = join(dir, 'state');
    mkdirSync(join(state, 'installs'), { recursive: true });
    writeFileSync(
      join(state, 'agent.json'),
      JSON.stringify({ server: 'http://127.0.0.1:9', hda_id: 'h1', domain: 'home.test', name: 'home', enrolled_at: new Date().toISOString() }),
    );
    writeFileSync(join(state, 'token'), 'hda.token\n');
    chmodSync(join(state, 'token'), 0o600);
    writeFileSync(
      join(state, 'installs', 'web.json'),
      JSON.stringify({
        identifier: 'web',
        install_id: 'i1',
        hostname: 'web',
        host_port: 39990,
        domain: 'home.test',
        app: 'web',
        version: '1',
        app_dir: join(dir, 'web'),
        desired: 'running',
        updated_at: new Date().toISOString(),
      }),
    );
    const env = { ...process.env, HDA_AGENT_FROM_SOURCE: '', HDA_AGENT_DOCKER_SOCKET: socket, HDA_AGENT_STATE_DIR: state, NODE_DEBUG: 'module' };
    const { stdout, stderr } = await run(process.execPath, [BIN, 'status', '--json'], { env });
    const report = JSON.parse(stdout);
    expect(report.docker).toBe('Docker 27.5.1 (API 1.45)');
    expect(report.apps).toEqual([
      { identifier: 'web', state: 'running', health: 'healthy', cpu_percent: 40, memory_bytes: 4 * 1048576, live_port: 39990, version: '1', host_port: 39990 },
    ]);
    expect(urls.filter((u) => u.includes('/containers/'))).toHaveLength(2); // list, then stats: dockerode did the talking
    // NODE_DEBUG=module names every CommonJS package loaded (the bin took the bundle: no tsx either).
    expect(stderr).toMatch(/MODULE/);
    expect(stderr).not.toMatch(/ssh2|grpc|proto-loader|tsx/);
  } finally {
    await new Promise<void>((r) => engine.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});
