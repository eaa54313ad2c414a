/**
 * What a container given its app folder can no longer do to the host (real Docker, Compose in the
 * dialect TESTBED_COMPOSE picks, private Apache): swap a bound folder for a link to `/` before the
 * next restart, start or update; make Apache (root) append to any file through the app's logs/; and
 * what the agent's environment or files beside the compose file can no longer make Compose load.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimedTask } from '../../core/protocol';
import { ComposeRunner } from '../../agent/docker/compose';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, getThroughApache, probeTestbed } from '../helpers/testbed';
import { createHarness, DOMAIN, projectContainers, run, standinCompose, task, uniqueId, version, type Harness } from '../helpers/agent-harness';

const probe = probeTestbed();
const available = requireOrSkip('agent testbed (Docker, Compose, Apache)', probe.ok, probe.ok ? '' : probe.reason);

describe.skipIf(!available)('host paths, Apache logs and Compose inputs a container cannot redirect', () => {
  let h: Harness;
  const id = uniqueId('hard');
  let port: number;
  let appDir: string;
  // The whole app folder is given to the container as /app, and its data/ again as /data.
  const compose = () => standinCompose(h.tb.standinImage, '      - .:/app\n');
  const events = (t: ClaimedTask) => (h.client.events.get(t.id) ?? []).map((e) => `${e.step ?? '-'} ${e.status} ${e.message}`).join('\n');
  const mustRun = async (t: ClaimedTask) => expect(await run(h, t), events(t)).toBe('succeeded');
  const mountsOf = async () =>
    Promise.all((await projectContainers(h.docker, id)).map(async (c) => (await h.docker.getContainer(c.Id).inspect()).Mounts.map((m) => m.Source)));
  const inContainer = (script: string) => spawnSync('docker', ['-H', `unix://${h.tb.dockerSocket}`, 'exec', id, 'sh', '-c', script], { encoding: 'utf8' });

  beforeAll(async () => {
    if (!probe.ok) return;
    h = await createHarness(probe.testbed);
    port = await freePort();
    appDir = join(h.config.appsRoot, id);
    await mustRun(await task(h, 'install', id, port, version(compose())));
  });
  afterAll(async () => h?.cleanup());

  it("Apache writes the app's logs outside the app folder; a link at the old logs/ path does nothing", async () => {
    const target = mkdtempSync(join(tmpdir(), 'log-target-'));
    try {
      writeFileSync(join(target, 'access_log'), 'untouched\n');
      rmSync(join(appDir, 'logs'), { recursive: true, force: true });
      symlinkSync(target, join(appDir, 'logs'));
      expect((await getThroughApache(h.tb, `${id}.${DOMAIN}`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300)); // Apache writes the log line after the answer
      expect(readFileSync(join(h.tb.apacheLogDir, 'hda-apps', id, 'access_log'), 'utf8')).toContain('GET / ');
      expect(readFileSync(join(target, 'access_log'), 'utf8')).toBe('untouched\n');
      expect(existsSync(join(target, 'error_log'))).toBe(false);
    } finally {
      rmSync(join(appDir, 'logs'), { force: true });
      mkdirSync(join(appDir, 'logs'));
      rmSync(target, { recursive: true, force: true });
    }
  });

  it('a container that swaps its bound data/ for a link to / gets no restart, start or update; / is never mounted', async () => {
    const swap = inContainer('rm -rf /app/data && ln -s / /app/data');
    expect(swap.status, swap.stderr).toBe(0);
    expect(lstatSync(join(appDir, 'data')).isSymbolicLink()).toBe(true);
    const refused = new RegExp(`${join(appDir, 'data').replace(/[/.-]/g, '\\$&')} leads to / `);

    const restart = await task(h, 'restart', id, port);
    expect(await run(h, restart)).toBe('failed');
    expect(h.client.results.get(restart.id)).toMatchObject({ state: 'failed', step: 'restart' });
    expect(h.client.results.get(restart.id)!.detail).toMatch(refused);
    // Restart stops first; the check refused the start: nothing runs with the link followed.
    expect((await projectContainers(h.docker, id)).map((c) => c.State)).toEqual(['exited']);

    const start = await task(h, 'start', id, port);
    expect(await run(h, start)).toBe('failed');
    expect(h.client.results.get(start.id)).toMatchObject({ step: 'mounts' });
    expect(h.client.results.get(start.id)!.detail).toMatch(refused);

    const v2 = version(compose(), { version: '1.1' });
    const update = await task(h, 'update', id, port, v2);
    expect(await run(h, update)).toBe('failed');
    expect(h.client.results.get(update.id)).toMatchObject({ step: 'mounts' });
    expect(h.client.results.get(update.id)!.detail).toMatch(refused);

    for (const c of await projectContainers(h.docker, id)) expect(c.State).not.toBe('running');
    for (const sources of await mountsOf()) expect(sources).not.toContain('/');
  });

  it('once the folder is a folder again, start runs and the data mount is the app folder for real', async () => {
    rmSync(join(appDir, 'data'));
    await mustRun(await task(h, 'start', id, port));
    expect(lstatSync(join(appDir, 'data')).isDirectory()).toBe(true);
    expect(inContainer('test -e /data/etc/passwd || echo not-root').stdout.trim()).toBe('not-root');
  });
});

describe.skipIf(!available)('Compose reads only the rendered file, with nothing from the agent or beside the file (v1 and v2)', () => {
  const tb = probe.ok ? probe.testbed : null!;
  const dir = mkdtempSync(join(tmpdir(), 'compose-inputs-'));
  const saved = { ...process.env };

  beforeAll(() => {
    // Everything that would steer Compose if it reached it: a .env and an override file beside the
    // compose file, and COMPOSE_* / DOCKER_CONFIG in the agent's own environment.
    writeFileSync(
      join(dir, 'docker-compose.yml'),
      `services:\n  web:\n    image: ${tb.standinImage}\n    environment:\n      FROM_ENV: \${FOO:-unset}\n    labels:\n      org.amahi.hda.managed-by: hda-agent\n`,
    );
    writeFileSync(join(dir, 'evil.yml'), `services:\n  evil:\n    image: ${tb.standinImage}\n    privileged: true\n`);
    writeFileSync(join(dir, '.env'), 'COMPOSE_FILE=evil.yml\nCOMPOSE_PROJECT_NAME=evilproject\nFOO=from-dotenv\n');
    writeFileSync(join(dir, 'docker-compose.override.yml'), 'services:\n  web:\n    privileged: true\n');
    Object.assign(process.env, {
      COMPOSE_FILE: join(dir, 'evil.yml'),
      COMPOSE_PROJECT_NAME: 'evilproject',
      COMPOSE_PROFILES: 'evil',
      FOO: 'from-agent-env',
      DOCKER_CONFIG: join(dir, 'nope'),
    });
  });
  afterAll(() => {
    for (const k of ['COMPOSE_FILE', 'COMPOSE_PROJECT_NAME', 'COMPOSE_PROFILES', 'FOO', 'DOCKER_CONFIG']) if (saved[k] === undefined) delete process.env[k];
    Object.assign(process.env, saved);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['v1', 'v2'] as const)('Compose %s runs exactly the given file: no .env, override, COMPOSE_* or agent variable reaches it', async (flavor) => {
    const runDir = mkdtempSync(join(tmpdir(), 'compose-run-'));
    const project = uniqueId(`inputs${flavor}`);
    const compose = new ComposeRunner(tb.dockerSocket, flavor, { runDir });
    const docker = (await import('dockerode')).default;
    const api = new docker({ socketPath: tb.dockerSocket });
    try {
      await compose.up({ project, file: join(dir, 'docker-compose.yml') });
      const containers = await projectContainers(api, project);
      expect(containers.map((c) => c.Labels['com.docker.compose.service'])).toEqual(['web']);
      const info = await api.getContainer(containers[0].Id).inspect();
      expect(info.Config.Env).toContain('FROM_ENV=unset');
      expect(info.HostConfig.Privileged).toBe(false);
      expect(await projectContainers(api, 'evilproject')).toEqual([]);
      expect(readFileSync(join(runDir, 'empty.env'), 'utf8')).toBe('');
    } finally {
      await compose.down({ project, file: join(dir, 'docker-compose.yml') }).catch(() => undefined);
      rmSync(runDir, { recursive: true, force: true });
    }
  });
});
