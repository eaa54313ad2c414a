import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apachePort, loadConfig, parseArgv } from '../../../agent/config';
import { chooseApiVersion } from '../../../agent/docker/client';
import { ComposeRunner } from '../../../agent/docker/compose';
import { cpuPercent, summarizeState } from '../../../agent/docker/containers';
import { addAgentLabels, summarizeCompose } from '../../../agent/executor/labels';
import { redact } from '../../../agent/log';
import { parse } from 'yaml';

describe('config', () => {
  it('takes flags over environment over defaults, commands as argv', () => {
    const c = loadConfig(
      { 'apps-root': '/srv/apps' },
      { HDA_AGENT_APPS_ROOT: '/env/apps', HDA_AGENT_APACHE_RELOAD: '["apache2","-f","/x y/conf","-k","graceful"]', HDA_AGENT_HEARTBEAT_S: '5' },
    );
    expect(c.appsRoot).toBe('/srv/apps');
    expect(c.apacheReload).toEqual(['apache2', '-f', '/x y/conf', '-k', 'graceful']);
    expect(c.heartbeatIntervalS).toBe(5);
    expect(c.stateDir).toBe('/var/lib/hda-agent');
    expect(c.apacheConfigtest).toEqual(['apachectl', 'configtest']);
    expect(apachePort(c)).toBe(80);
    expect(apachePort({ apacheProbeUrl: 'http://127.0.0.1:18080/' })).toBe(18080);
    expect(parseArgv('apachectl  configtest')).toEqual(['apachectl', 'configtest']);
    expect(() => loadConfig({ 'heartbeat-interval': '-1' }, {})).toThrow(/positive/);
  });

  it('honours DOCKER_HOST when no socket is configured', () => {
    expect(loadConfig({}, { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }).dockerSocket).toBe('/run/user/1000/docker.sock');
  });
});

describe('docker API version negotiation', () => {
  it('uses the daemon version when older than ours, ours when the daemon is newer, the daemon minimum when it moved past us', () => {
    expect(chooseApiVersion('1.41', '1.12', '1.47')).toBe('1.41');
    expect(chooseApiVersion('1.51', '1.24', '1.47')).toBe('1.47');
    expect(chooseApiVersion('1.52', '1.48', '1.47')).toBe('1.48');
  });
});

describe('compose detection', () => {
  const fake = (v: string) => ['node', '-e', `console.log(${JSON.stringify(v)})`];
  const missing = ['node', '-e', 'process.exit(1)'];
  it('prefers the v2 plugin, falls back to v1, and says what it tried when neither exists', async () => {
    expect(await new ComposeRunner('/var/run/docker.sock', 'auto', { candidates: { v2: fake('v2.29.1'), v1: fake('1.29.2') } }).detect()).toMatchObject({
      flavor: 'v2',
      version: '2.29.1',
    });
    expect(await new ComposeRunner('/var/run/docker.sock', 'auto', { candidates: { v2: missing, v1: fake('1.29.2') } }).detect()).toMatchObject({
      flavor: 'v1',
      version: '1.29.2',
    });
    await expect(
      new ComposeRunner('/var/run/docker.sock', 'auto', { candidates: { v2: missing, v1: ['/nonexistent/docker-compose'] } }).detect(),
    ).rejects.toThrow(/no Docker Compose found/);
  });

  it('runs Compose with the file, the project, an empty env file, its own folder and an environment of nothing from the agent', async () => {
    const echo = [
      'node',
      '-e',
      'const a = process.argv.slice(1); console.log(a.includes("version") ? "2.26.1" : JSON.stringify({ a, cwd: process.cwd(), env: process.env }))',
      '--',
    ];
    const runDir = mkdtempSync(join(tmpdir(), 'compose-run-'));
    process.env.COMPOSE_FILE = '/tmp/evil.yml';
    try {
      const r = await new ComposeRunner('/run/docker.sock', 'v2', { runDir, candidates: { v2: echo, v1: echo } }).up({
        project: 'radarr',
        file: '/state/compose/radarr/docker-compose.yml',
      });
      const seen = JSON.parse(r.stdout) as { a: string[]; cwd: string; env: Record<string, string> };
      expect(seen.a).toEqual([
        '--project-name',
        'radarr',
        '--file',
        '/state/compose/radarr/docker-compose.yml',
        '--env-file',
        join(runDir, 'empty.env'),
        'up',
        '-d',
        '--remove-orphans',
      ]);
      expect(seen.cwd).toBe(runDir);
      expect(readFileSync(join(runDir, 'empty.env'), 'utf8')).toBe('');
      expect(
        Object.keys(seen.env)
          .filter((k) => !['PWD', 'SHLVL', '_'].includes(k))
          .sort(),
      ).toEqual(['COMPOSE_INTERACTIVE_NO_CLI', 'DOCKER_HOST', 'HOME', 'LANG', 'PATH']);
      expect(seen.env).toMatchObject({ HOME: runDir, DOCKER_HOST: 'unix:///run/docker.sock' });
    } finally {
      delete process.env.COMPOSE_FILE;
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});

describe('labels and compose summary', () => {
  it("labels every service as the agent's, whether labels are a list or a map", () => {
    const out = addAgentLabels(
      parse('services:\n  a:\n    image: x\n    labels: ["keep=1"]\n  b:\n    image: y\n    labels: {k: v}\n  c:\n    build: .\n'),
      'radarr',
      'inst-1',
    );
    expect(out.services.a.labels).toEqual(['keep=1', 'org.amahi.hda.managed-by=hda-agent', 'org.amahi.hda.identifier=radarr', 'org.amahi.hda.install=inst-1']);
    expect(out.services.b.labels).toMatchObject({ k: 'v', 'org.amahi.hda.managed-by': 'hda-agent' });
    expect(out.services.c.labels['org.amahi.hda.identifier']).toBe('radarr');
    expect(summarizeCompose(parse('services:\n  a:\n    image: x\n  b:\n    image: x\n  c:\n    build: .\n    image: z\n'))).toEqual({
      services: ['a', 'b', 'c'],
      images: ['x'],
      builds: ['c'],
    });
  });
});

describe('app state from containers', () => {
  it('adds container states up to one app state', () => {
    expect(summarizeState([])).toBe('missing');
    expect(summarizeState([{ State: 'running' }, { State: 'running' }])).toBe('running');
    expect(summarizeState([{ State: 'running' }, { State: 'restarting' }])).toBe('restarting');
    expect(summarizeState([{ State: 'exited' }])).toBe('stopped');
    expect(summarizeState([{ State: 'dead' }])).toBe('exited');
  });
  it('computes CPU % like docker stats', () => {
    expect(
      cpuPercent({
        cpu_stats: { cpu_usage: { total_usage: 2_000 }, system_cpu_usage: 20_000, online_cpus: 2 },
        precpu_stats: { cpu_usage: { total_usage: 1_000 }, system_cpu_usage: 10_000 },
      }),
    ).toBe(20);
    expect(cpuPercent({})).toBeNull();
  });
});

describe('log redaction', () => {
  it('never writes a bearer token', () => {
    expect(redact('GET /x Authorization: Bearer abc.def-ghi')).toBe('GET /x Authorization: Bearer [redacted]');
    expect(redact('{"token":"s3cr3tvalue123"}')).not.toContain('s3cr3t');
  });
});
