/**
 * Backups off the HDA against a real restic repository served over the loopback (`rclone serve
 * restic`): the browser's sealed box opened by the agent's key, app folders backed up with the HDA as
 * host, retention applied, health recorded; the recovery key restores on another machine's state; a
 * replacement HDA puts each app folder back into its own apps root; a wrong password, an unreachable
 * address and a box sealed to another key fail in plain words naming the repository by its label, and
 * leave working settings as they were.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoveryKeyOf, secretsOfRecoveryKey, type BackupPlanInput, type BackupSecrets } from '../../core/backup/plan';
import { newSealingKeyPair, exportPublicJwk, seal } from '../../core/backup/seal';
import type { PayloadOf } from '../../core/protocol';
import { loadOrCreateHdaKey } from '../../agent/backup/hda-key';
import { loadHealth, loadOffsite, offsiteRepo } from '../../agent/backup/offsite';
import { restore, snapshots } from '../../agent/backup/restic';
import { backupDue, backupHeartbeat } from '../../agent/backup/schedule';
import { backupConfigStep, backupRunStep } from '../../agent/executor/backup';
import { restoreOffsiteStep } from '../../agent/executor/restore-offsite';
import type { Step, StepContext } from '../../agent/executor/types';
import Docker from 'dockerode';
import { commandWorks, requireOrSkip } from '../helpers/requirements';
import { probeTestbed } from '../helpers/testbed';
import { freePort, serveRestRepo, type RestRepoServer } from '../helpers/rest-repo';

const probe = probeTestbed();
const available =
  requireOrSkip('Docker testbed', probe.ok, probe.ok ? '' : probe.reason) &&
  requireOrSkip('restic', commandWorks('restic', ['version']), 'restic is not installed (test/testbed/up.sh installs it)') &&
  requireOrSkip('rclone', commandWorks('rclone', ['version']), 'rclone is not installed (test/testbed/up.sh installs it)');

const HDA_ID = '11111111-2222-4333-8444-555555555555';
const LABEL = 'rest server on the loopback';

describe.skipIf(!available)('off-HDA backups to a real REST repository', () => {
  let dir: string;
  let server: RestRepoServer;
  let stateDir: string;
  let appsRoot: string;
  let secrets: BackupSecrets;

  /** Runs one step as the executor would, with this agent's folders; returns its Complete text or throws its failure. */
  const runStep = <K extends 'backup-config' | 'backup-run'>(step: Step<K>, payload: PayloadOf<K>, state = stateDir) => {
    const oks: string[] = [];
    const ctx = {
      task: { id: 't', kind: step.name, hda_id: HDA_ID, install_id: null, deployment_id: null, attempts: 1, lease_until: '', payload },
      deps: {
        config: { stateDir: state, appsRoot, namespace: '' },
        installs: {
          list: () => [
            { identifier: 'hello', host_port: 1 },
            { identifier: 'notes', host_port: 2 },
          ],
        },
        docker: { docker: async () => new Docker({ socketPath: probe.ok ? probe.testbed.dockerSocket : undefined }) },
      },
      report: { ok: (m: string) => oks.push(m), progress: () => undefined },
      work: { made: {} },
      signal: new AbortController().signal,
    } as unknown as StepContext<K>;
    return step.run(ctx).then((text) => ({ text, oks }));
  };
  /** What the browser does: seal the secrets to the key the agent published. */
  const planFor = async (s: BackupSecrets, state = stateDir): Promise<BackupPlanInput> => {
    const key = (await backupHeartbeat(state)).backup_key!;
    return { repository_label: LABEL, every_hours: 24, retention: { daily: 1, weekly: 1 }, sealed: await seal(key, JSON.stringify(s)) };
  };
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => new Error('expected a failure'),
      (e: Error) => e,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'offsite-'));
    server = await serveRestRepo(join(dir, 'served'));
    stateDir = join(dir, 'state');
    appsRoot = join(dir, 'apps');
    for (const [app, text] of [
      ['hello', 'hello data v1\n'],
      ['notes', 'notes db\n'],
    ]) {
      mkdirSync(join(appsRoot, app, 'data'), { recursive: true });
      writeFileSync(join(appsRoot, app, 'data', 'db'), text);
    }
    secrets = { repository: server.url, password: 'correct horse battery staple' };
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the agent publishes a public key and keeps its private half (0600) to itself', async () => {
    const beat = await backupHeartbeat(stateDir);
    expect(beat.backup_key).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(JSON.stringify(beat)).not.toContain('"d"');
    expect(statSync(join(stateDir, 'backup', 'hda-key.json')).mode & 0o777).toBe(0o600);
    expect((await loadOrCreateHdaKey(stateDir)).publicJwk).toEqual(beat.backup_key); // the same key after a restart
    expect(beat.backup).toBeUndefined();
  });

  it('a box sealed to another key is refused before anything is stored', async () => {
    const other = await exportPublicJwk((await newSealingKeyPair()).publicKey);
    const plan: BackupPlanInput = { ...(await planFor(secrets)), sealed: await seal(other, JSON.stringify(secrets)) };
    const e = await failure(runStep(backupConfigStep, { backup: plan }));
    expect(e.message).toMatch(/cannot read the backup settings: the sealed box cannot be opened with this HDA key/);
    expect(loadOffsite(stateDir)).toBeNull();
  });

  it('opens the sealed secrets, creates the repository on the server and keeps the settings 0600', async () => {
    const r = await runStep(backupConfigStep, { backup: await planFor(secrets) });
    expect(r.oks).toEqual([`created the restic repository ${LABEL}`]);
    expect(r.text).toBe(`backups every 24 h to ${LABEL}`);
    expect(loadOffsite(stateDir)?.secrets).toEqual(secrets);
    for (const f of ['offsite.json', 'offsite-password']) expect(statSync(join(stateDir, 'backup', f)).mode & 0o777).toBe(0o600);
    expect(backupDue(stateDir, Date.now())).toBe(true); // never ran yet
  });

  it('backs up every app folder with the HDA as host, applies the retention and records the health', async () => {
    for (let run = 0; run < 2; run++) await runStep(backupRunStep, {});
    const stored = loadOffsite(stateDir)!;
    const list = await snapshots(offsiteRepo(stateDir, stored), { host: HDA_ID });
    // daily 1 + weekly 1, all taken today: the newest snapshot of each app stays.
    expect(list.map((s) => s.tags.find((t) => t.startsWith('app=')))).toEqual(expect.arrayContaining(['app=hello', 'app=notes']));
    expect(list).toHaveLength(2);
    const health = loadHealth(stateDir)!;
    expect(health).toMatchObject({ repository: LABEL, every_hours: 24, last_error: null, snapshots: 2 });
    expect(health.repository_size).toBeGreaterThan(0);
    expect(Date.parse(health.next_run_at!) - Date.parse(health.last_success_at!)).toBe(24 * 3_600_000);
    expect(backupDue(stateDir, Date.parse(health.next_run_at!) - 1)).toBe(false);
    expect((await backupHeartbeat(stateDir)).backup).toEqual(health);
    expect(JSON.stringify(health)).not.toContain(secrets.password);
  });

  it('with the recovery key alone, another machine restores an app folder', async () => {
    const key = recoveryKeyOf(secrets);
    expect(key).not.toContain(secrets.password); // encoded, not in clear beside the prefix
    const newState = join(dir, 'new-state');
    const recovered = secretsOfRecoveryKey(key);
    await runStep(backupConfigStep, { backup: await planFor(recovered, newState) }, newState);
    const repo = offsiteRepo(newState, loadOffsite(newState)!);
    const [latest] = (await snapshots(repo, { tags: ['app=hello'], host: HDA_ID })).slice(-1);
    const target = join(dir, 'restored');
    await restore(repo, latest.id, target);
    expect(readFileSync(join(target, appsRoot, 'hello', 'data', 'db'), 'utf8')).toBe('hello data v1\n');
  });

  it("a replacement HDA puts each app folder back from the old HDA's latest snapshot, once, into its own apps root", async () => {
    const newState = join(dir, 'replacement-state');
    const newApps = join(dir, 'replacement-apps');
    await runStep(backupConfigStep, { backup: await planFor(secretsOfRecoveryKey(recoveryKeyOf(secrets)), newState) }, newState);
    const restoreApp = (identifier: string, taskId = 't') => {
      const oks: string[] = [];
      const ctx = {
        task: { id: taskId, kind: 'install', hda_id: 'new-hda', payload: { restore_offsite: { host: HDA_ID } } },
        deps: { config: { stateDir: newState, appsRoot: newApps } },
        report: { ok: (m: string) => oks.push(m), progress: () => undefined },
        work: { identifier, appDir: join(newApps, identifier), made: { target: { project: identifier } } },
        signal: new AbortController().signal,
      } as unknown as StepContext<'install'>;
      return restoreOffsiteStep.run(ctx).then((text) => ({ text, oks }));
    };
    // A half-done earlier run left a staging folder and an empty app folder: both are replaced.
    mkdirSync(join(newApps, '.restore-hello', 'junk'), { recursive: true });
    mkdirSync(join(newApps, 'hello'), { recursive: true });
    const first = await restoreApp('hello');
    expect(first.text).toMatch(/^data as of /);
    expect(first.oks[0]).toMatch(new RegExp(`^restored hello from snapshot [0-9a-f]{8} .* in ${LABEL}$`));
    expect(readFileSync(join(newApps, 'hello', 'data', 'db'), 'utf8')).toBe('hello data v1\n');
    expect(existsSync(join(newApps, '.restore-hello'))).toBe(false);
    // Run again after a crash: done already, the folder (changed since by the app) is left alone.
    writeFileSync(join(newApps, 'hello', 'data', 'db'), 'written after the restore\n');
    expect((await restoreApp('hello', 't2')).text).toBe('already restored');
    expect(readFileSync(join(newApps, 'hello', 'data', 'db'), 'utf8')).toBe('written after the restore\n');
    // An app the old HDA never backed up starts empty, said in words.
    const none = await restoreApp('absent');
    expect(none.text).toBe('no backup to restore');
    expect(none.oks[0]).toBe(`no backup of absent in ${LABEL}: it starts with empty data`);
  });

  it('a wrong password is a failure naming the repository, and the working settings stay', async () => {
    const e = await failure(runStep(backupConfigStep, { backup: await planFor({ ...secrets, password: 'not the password at all' }) }));
    expect(e.message).toBe(`open repository: wrong password for restic repository ${LABEL}`);
    expect(e.message).not.toContain(String(server.port));
    expect(loadOffsite(stateDir)?.secrets.password).toBe(secrets.password);
  });

  it('an unreachable repository is a failure naming it, not a hang; a failed run is recorded and retried within the hour', async () => {
    const closed = `rest:http://127.0.0.1:${await freePort()}/repo`;
    const e = await failure(runStep(backupConfigStep, { backup: await planFor({ ...secrets, repository: closed }) }));
    expect(e.message).toMatch(new RegExp(`restic repository ${LABEL} (is unreachable|did not answer in time)`));
    expect(e.message).not.toContain(closed);

    const before = loadHealth(stateDir)!;
    await server.stop();
    const run = await failure(runStep(backupRunStep, {}));
    expect(run.message).toMatch(new RegExp(`restic repository ${LABEL}`));
    const after = loadHealth(stateDir)!;
    expect(after.last_success_at).toBe(before.last_success_at);
    expect(after.last_error?.message).toBe(run.message);
    expect(Date.parse(after.next_run_at!) - Date.parse(after.last_error!.at)).toBe(3_600_000);
  });
});
