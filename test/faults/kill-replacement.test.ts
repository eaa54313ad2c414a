/**
 * Faults: kill -9 of the agent of a replacement HDA while it restores an app's data from the off-HDA
 * backup (restore-offsite: during the restore, while a volume's data is staged, and after it, before
 * the step's end is journaled),
 * then the task run again on the same state dir, as a restarted agent runs the task its journal
 * holds. Real Docker, Compose, Apache, restic and `rclone serve restic`. Agent A backs up two apps
 * (app folder and a named volume each) and is destroyed; B's executor runs in a process of its own
 * (executor-main.ts) with the fault hooks. Each app ends running with its data exactly once: the same
 * files as backed up, one volume, no staging or set-aside copy left.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoveryKeyOf, secretsOfRecoveryKey, type BackupSecrets } from '../../core/backup/plan';
import { seal } from '../../core/backup/seal';
import type { ClaimedTask, TaskEventInput, TaskResultInput } from '../../core/protocol';
import { loadOrCreateHdaKey } from '../../agent/backup/hda-key';
import { createHarness, projectContainers, run, standinCompose, task, uniqueId, version, type Harness } from '../helpers/agent-harness';
import { testbedAgentEnv } from '../helpers/agent-process';
import { commandWorks, requireOrSkip } from '../helpers/requirements';
import { serveRestRepo, type RestRepoServer } from '../helpers/rest-repo';
import { freePort, probeTestbed, removeComposeProject } from '../helpers/testbed';
import { until } from './fault-kit';

const probe = probeTestbed();
const available =
  requireOrSkip('agent testbed (Docker, Compose, Apache)', probe.ok, probe.ok ? '' : probe.reason) &&
  requireOrSkip('restic', commandWorks('restic', ['version']), 'not installed (test/testbed/up.sh installs it)') &&
  requireOrSkip('rclone', commandWorks('rclone', ['version']), 'not installed (test/testbed/up.sh installs it)');

const RUNNER = fileURLToPath(new URL('./executor-main.ts', import.meta.url));
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
/** The stand-in with its app folder and a named volume mounted at /vol. */
const compose = (image: string) => standinCompose(image, '      - dbvol:/vol\nvolumes:\n  dbvol: {}\n');

describe.skipIf(!available)('faults: kill -9 of a replacement HDA while it restores an app from the off-HDA backup', () => {
  let a: Harness;
  let b: Harness;
  let server: RestRepoServer;
  let dir: string;
  let secrets: BackupSecrets;
  const apps = [
    { phase: 'during', id: uniqueId('krd'), port: 0, digest: '' },
    { phase: 'after', id: uniqueId('kra'), port: 0, digest: '' },
  ];

  const configTask = async (h: Harness, s: BackupSecrets): Promise<ClaimedTask> => {
    const key = (await loadOrCreateHdaKey(h.config.stateDir)).publicJwk;
    const backup = { repository_label: 'office REST server', every_hours: 24, retention: { daily: 7 }, sealed: await seal(key, JSON.stringify(s)) };
    return { ...(await task(h, 'backup-config', 'hda', 0)), install_id: null, payload: { backup } };
  };
  const volumeDir = async (h: Harness, id: string) => (await h.docker.getVolume(`${id}_dbvol`).inspect()).Mountpoint;

  /** B's executor in its own process on B's state dir; resolves with what it wrote, or with null when killed. */
  const runB = (t: ClaimedTask, hold = '') => {
    const files = mkdtempSync(join(dir, 'run-'));
    writeFileSync(join(files, 'task.json'), JSON.stringify(t));
    writeFileSync(join(files, 'keys.json'), JSON.stringify(b.deps.pinnedKeys()));
    const child = spawn(process.execPath, ['--import', 'tsx', RUNNER], {
      env: {
        ...process.env,
        ...testbedAgentEnv(b.tb, { stateDir: b.config.stateDir, appsRoot: b.config.appsRoot }),
        HDA_AGENT_HEALTH_TIMEOUT_S: '60',
        RUN_TASK: join(files, 'task.json'),
        RUN_KEYS: join(files, 'keys.json'),
        RUN_OUT: join(files, 'out.json'),
        FAULT_HOLD: hold,
        FAULT_DIR: hold ? files : '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (x: Buffer) => output.push(x.toString()));
    child.stderr.on('data', (x: Buffer) => output.push(x.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const out = exited.then(() =>
      existsSync(join(files, 'out.json'))
        ? (JSON.parse(readFileSync(join(files, 'out.json'), 'utf8')) as { outcome: string; result: TaskResultInput; events: TaskEventInput[] })
        : null,
    );
    return { child, files, output, exited, out };
  };

  beforeAll(async () => {
    if (!probe.ok) return;
    dir = mkdtempSync(join(tmpdir(), 'kill-replacement-'));
    server = await serveRestRepo(join(dir, 'served'));
    secrets = { repository: server.url, password: `repository password ${randomBytes(4).toString('hex')}` };
    a = await createHarness(probe.testbed);
    for (const app of apps) {
      app.port = await freePort();
      expect(await run(a, await task(a, 'install', app.id, app.port, version(compose(a.tb.standinImage))))).toBe('succeeded');
      writeFileSync(join(a.config.appsRoot, app.id, 'data', 'notes.txt'), `notes of ${app.id}\n`);
      // Enough data that the restore is still running when the agent is killed "during" it.
      const big = join(await volumeDir(a, app.id), 'rows.db');
      writeFileSync(big, randomBytes(32 * 1024 * 1024));
      app.digest = sha(big);
    }
    expect(await run(a, await configTask(a, secrets))).toBe('succeeded');
    const backed = { ...(await task(a, 'backup-run', 'hda', 0)), install_id: null, payload: {} } as ClaimedTask;
    expect(await run(a, backed), a.client.results.get(backed.id)?.detail).toBe('succeeded');
    await a.cleanup();
    for (const app of apps) await a.docker.getVolume(`${app.id}_dbvol`).remove();
    b = await createHarness(a.tb);
    expect(await run(b, await configTask(b, secretsOfRecoveryKey(recoveryKeyOf(secrets))))).toBe('succeeded');
  }, 300_000);
  afterAll(async () => {
    for (const app of apps) if (b) await removeComposeProject(b.docker, app.id);
    await b?.cleanup();
    for (const app of apps)
      await (b ?? a)?.docker
        .getVolume(`${app.id}_dbvol`)
        .remove()
        .catch(() => undefined);
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const app of apps) {
    it(`kill -9 at install:restore-offsite:${app.phase}, then the task runs again: the app runs with its data exactly once`, async () => {
      // A port of its own (A's lingers in TIME_WAIT on this one host; replace-hda.test.ts proves the same port).
      const t = await task(b, 'install', app.id, await freePort(), version(compose(b.tb.standinImage)), { restore_offsite: { host: 'hda-test' } });
      const first = runB(t, app.phase === 'after' ? 'install:restore-offsite:after' : '');
      // During: killed the moment the volume's data is being staged (the app folder staged, nothing swapped yet).
      const killPoint = async () => {
        if (app.phase === 'after') return existsSync(join(first.files, 'held'));
        const mp = await volumeDir(b, app.id).catch(() => '');
        return !!mp && existsSync(join(dirname(mp), '.restore-_data'));
      };
      await until('the kill point', async () => (await killPoint()) || first.child.exitCode !== null, 120_000, 10);
      expect(await killPoint(), `the task ended before the kill point (exit ${first.child.exitCode}): ${first.output.join('')}`).toBe(true);
      first.child.kill('SIGKILL');
      expect(await first.out, 'killed before it finished').toBeNull();

      const again = runB(t);
      const done = await again.out;
      expect(done?.outcome, again.output.join('') + JSON.stringify(done?.events.map((e) => `${e.step} ${e.status} ${e.message}`))).toBe('succeeded');
      expect(done?.events.some((e) => e.status === 'Warning' && /running the task again/.test(e.message))).toBe(true);
      // Killed mid-restore: restored again from the same snapshot. Killed after it: the marker says it is done.
      const restored = done?.events.filter((e) => e.step === 'restore-offsite' && e.status === 'Complete').at(-1)?.message;
      expect(restored).toMatch(app.phase === 'after' ? /^already restored$/ : /^data as of /);

      const appDir = join(b.config.appsRoot, app.id);
      expect(readFileSync(join(appDir, 'data', 'notes.txt'), 'utf8')).toBe(`notes of ${app.id}\n`);
      const vols = (await b.docker.listVolumes({ filters: { label: [`com.docker.compose.project=${app.id}`] } })).Volumes ?? [];
      expect(vols.map((v) => v.Name)).toEqual([`${app.id}_dbvol`]);
      const volData = await volumeDir(b, app.id);
      expect(readdirSync(volData)).toEqual(['rows.db']);
      expect(sha(join(volData, 'rows.db'))).toBe(app.digest);
      // No staged or set-aside copy left beside the folder or the volume's data.
      expect(readdirSync(b.config.appsRoot).filter((n) => n.includes(app.id))).toEqual([app.id]);
      expect(readdirSync(join(volData, '..'))).toEqual(['_data']);
      const [c] = await projectContainers(b.docker, app.id);
      expect(c.State).toBe('running');
    }, 240_000);
  }
});
