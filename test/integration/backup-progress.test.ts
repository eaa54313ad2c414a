/**
 * The agent's progress events for long restic runs, against real restic and a REST repository served
 * over the loopback: an off-HDA backup run reports each app's bar from restic's status lines, ending
 * full at the bytes restic backed up; a replacement's restore reports bytes measured under its staging
 * folder against restic's restore size, ending at exactly that size. Every figure is one the protocol
 * (TaskProgressSchema) accepts, so the control plane stores and relays it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackupSecrets } from '../../core/backup/plan';
import { seal } from '../../core/backup/seal';
import { TaskProgressSchema, type PayloadOf, type TaskProgress } from '../../core/protocol';
import { backupHeartbeat } from '../../agent/backup/schedule';
import { backupConfigStep, backupRunStep } from '../../agent/executor/backup';
import { restoreOffsiteStep } from '../../agent/executor/restore-offsite';
import type { Step, StepContext } from '../../agent/executor/types';
import Docker from 'dockerode';
import { commandWorks, requireOrSkip } from '../helpers/requirements';
import { serveRestRepo, type RestRepoServer } from '../helpers/rest-repo';
import { probeTestbed } from '../helpers/testbed';

// Off-HDA backups stop each app's containers for their moment: Docker is asked which ones run.
const probe = probeTestbed();
const available =
  requireOrSkip('Docker testbed', probe.ok, probe.ok ? '' : probe.reason) &&
  requireOrSkip('restic', commandWorks('restic', ['version']), 'restic is not installed (test/testbed/up.sh installs it)') &&
  requireOrSkip('rclone', commandWorks('rclone', ['version']), 'rclone is not installed (test/testbed/up.sh installs it)');

const OLD_HDA = '21111111-2222-4333-8444-555555555555';
const SIZES = { hello: 6 * 1024 * 1024 + 123, notes: 40_000 };

interface Reported {
  message: string;
  progress: TaskProgress;
}

describe.skipIf(!available)('progress of restic runs, as the agent reports it', () => {
  let dir: string;
  let server: RestRepoServer;
  let secrets: BackupSecrets;

  /** Runs a step as the executor would, recording what it reports as progress. */
  async function run<K extends 'backup-config' | 'backup-run' | 'install'>(step: Step<K>, payload: PayloadOf<K>, state: string, apps: string, work = {}) {
    const progress: Reported[] = [];
    const ctx = {
      task: { id: 't', kind: step.name, hda_id: OLD_HDA, install_id: null, deployment_id: null, attempts: 1, lease_until: '', payload },
      deps: {
        config: { stateDir: state, appsRoot: apps, namespace: '' },
        installs: { list: () => Object.keys(SIZES).map((identifier, i) => ({ identifier, host_port: i + 1 })) },
        docker: { docker: async () => new Docker({ socketPath: probe.ok ? probe.testbed.dockerSocket : undefined }) },
      },
      report: {
        ok: () => undefined,
        warn: () => undefined,
        progress: (message: string, _data: unknown, p?: TaskProgress) => p && progress.push({ message, progress: TaskProgressSchema.parse(p) }),
      },
      work: { made: {}, ...work },
      signal: new AbortController().signal,
    } as unknown as StepContext<K>;
    await step.run(ctx);
    return progress;
  }
  const configure = async (state: string) => {
    const key = (await backupHeartbeat(state)).backup_key!;
    const backup = { repository_label: 'loopback', every_hours: 24, retention: { daily: 1 }, sealed: await seal(key, JSON.stringify(secrets)) };
    await run(backupConfigStep, { backup }, state, join(dir, 'unused'));
  };
  const lastOf = (list: Reported[], item: string) => list.filter((r) => r.progress.item === item).at(-1)?.progress;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backup-progress-'));
    server = await serveRestRepo(join(dir, 'served'));
    secrets = { repository: server.url, password: 'correct horse battery staple' };
    for (const [app, size] of Object.entries(SIZES)) {
      mkdirSync(join(dir, 'apps', app, 'data'), { recursive: true });
      writeFileSync(join(dir, 'apps', app, 'data', 'blob'), randomBytes(size));
    }
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a backup run reports each app's bytes, ending full at what restic backed up", async () => {
    const state = join(dir, 'old-state');
    await configure(state);
    const reported = await run(backupRunStep, {}, state, join(dir, 'apps'));
    for (const [app, size] of Object.entries(SIZES)) {
      expect(lastOf(reported, app)).toEqual({ item: app, bytes_done: size, bytes_total: size, fraction: 1 });
      // restic's own figures (status lines) never count past the app's size.
      for (const r of reported.filter((x) => x.progress.item === app)) expect(r.progress.bytes_done).toBeLessThanOrEqual(size);
    }
    expect(lastOf(reported, 'hello')).toBeDefined();
    expect(reported.find((r) => r.progress.item === 'hello')?.message).toMatch(/^backing up hello: \d+% \(/);
  });

  it("a replacement's restore reports bytes written against restic's restore size, ending at it", async () => {
    const state = join(dir, 'new-state');
    const apps = join(dir, 'new-apps');
    await configure(state);
    const work = { identifier: 'hello', appDir: join(apps, 'hello'), made: { target: { project: 'hello' } } };
    const reported = await run(restoreOffsiteStep, { restore_offsite: { host: OLD_HDA } } as PayloadOf<'install'>, state, apps, work);
    expect(reported.length).toBeGreaterThanOrEqual(1);
    expect(reported[0].progress.bytes_total).toBe(SIZES.hello);
    expect(reported.at(-1)?.progress).toEqual({ item: 'hello', bytes_done: SIZES.hello, bytes_total: SIZES.hello, fraction: 1, approximate: true });
    expect(reported.at(-1)?.message).toBe('restore hello: 100% (6.0 MiB of 6.0 MiB, measured on disk)');
    expect(readFileSync(join(apps, 'hello', 'data', 'blob')).length).toBe(SIZES.hello);
  });
});
