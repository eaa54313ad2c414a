/**
 * Data snapshots (restic, through the agent's driver) against `tar` of the same app folder, same
 * machine, same run: a first snapshot and a restore of the whole folder (time and size, as ratios to
 * tar cf / tar xf), an incremental snapshot after 1 % of the folder changed (against GNU tar's
 * --listed-incremental of the same change), and the app's downtime per snapshot with a real container
 * of the stand-in image stopped for it (testbed needed for that row only).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, writeSync, statSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { takeSnapshot, type AppDataRef } from '../../agent/backup/app-data';
import { localRepo } from '../../agent/backup/repo-local';
import { backup, ensureRepo, restore } from '../../agent/backup/restic';
import { probeTestbed } from '../../test/helpers/testbed';
import type { Sizes } from '../lib/options';
import { median, round } from '../lib/stats';
import { withTempDir } from '../lib/tmp';

export interface SnapshotResult {
  bytes: number;
  files: number;
  rounds: number;
  tarMs: number;
  snapshotMs: number;
  tarBytes: number;
  repoBytes: number;
  untarMs: number;
  restoreMs: number;
  changedBytes: number;
  incrementalMs: number;
  incrementalAddedBytes: number;
  tarIncrementalMs: number;
  tarIncrementalBytes: number;
  downtime?: { firstMs: number; incrementalMs: number; stopStartMs: number } | { skipped: string };
}

const FILE_BYTES = 1024 * 1024;

function writeRandomFile(path: string, bytes: number): void {
  const fd = openSync(path, 'w');
  for (let done = 0; done < bytes; done += FILE_BYTES) writeSync(fd, randomBytes(Math.min(FILE_BYTES, bytes - done)));
  closeSync(fd);
}

/** An app folder of `bytes` in 1 MiB files of random data (incompressible, nothing to deduplicate: the worst case for restic). */
function makeAppFolder(dir: string, bytes: number): number {
  const n = Math.max(1, Math.round(bytes / FILE_BYTES));
  for (let i = 0; i < n; i++) {
    const sub = join(dir, `d${i % 16}`);
    mkdirSync(sub, { recursive: true });
    writeRandomFile(join(sub, `f${i}.bin`), FILE_BYTES);
  }
  return n;
}

function timed(argv: string[], cwd?: string): number {
  const t = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  return performance.now() - t;
}

function duBytes(path: string): number {
  let total = 0;
  for (const e of readdirSync(path, { withFileTypes: true, recursive: true }))
    if (e.isFile()) total += statSync(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).size;
  return total;
}

async function ms<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

export async function snapshotSuite(sizes: Sizes, log: (line: string) => void): Promise<SnapshotResult> {
  return withTempDir('bench-snapshot-', async (dir) => {
    const app = join(dir, 'app');
    mkdirSync(app);
    const files = makeAppFolder(app, sizes.snapshotBytes);
    log(`snapshot: app folder of ${files} MiB written`);
    const r = { tar: [] as number[], snap: [] as number[], untar: [] as number[], restore: [] as number[], tarBytes: 0, repoBytes: 0 };
    for (let round = 0; round < sizes.snapshotRounds; round++) {
      const repo = localRepo(join(dir, `state${round}`));
      await ensureRepo(repo);
      const tarFile = join(dir, 'app.tar');
      const tarFirst = round % 2 === 0;
      const doTar = () => r.tar.push(timed(['tar', '-cf', tarFile, '-C', dir, 'app']));
      if (tarFirst) doTar();
      const [snapMs, summary] = await ms(() => backup(repo, [app], { host: 'bench' }));
      r.snap.push(snapMs);
      if (!tarFirst) doTar();
      r.tarBytes = statSync(tarFile).size;
      r.repoBytes = duBytes(repo.repository);
      const out1 = join(dir, 'untar');
      const out2 = join(dir, 'unrestic');
      mkdirSync(out1);
      r.untar.push(timed(['tar', '-xf', tarFile, '-C', out1]));
      r.restore.push((await ms(() => restore(repo, summary.snapshotId, out2)))[0]);
      rmSync(out1, { recursive: true, force: true });
      rmSync(out2, { recursive: true, force: true });
      rmSync(tarFile, { force: true });
      if (round < sizes.snapshotRounds - 1) rmSync(join(dir, `state${round}`), { recursive: true, force: true });
      log(`snapshot round ${round + 1}/${sizes.snapshotRounds}`);
    }
    const last = localRepo(join(dir, `state${sizes.snapshotRounds - 1}`));
    const inc = await incremental(dir, app, last, files);
    const downtime = await downtimeRows(dir, app, log);
    return {
      bytes: files * FILE_BYTES,
      files,
      rounds: sizes.snapshotRounds,
      tarMs: round(median(r.tar), 0),
      snapshotMs: round(median(r.snap), 0),
      tarBytes: r.tarBytes,
      repoBytes: r.repoBytes,
      untarMs: round(median(r.untar), 0),
      restoreMs: round(median(r.restore), 0),
      ...inc,
      downtime,
    };
  });
}

/** 1 % of the files rewritten; restic's next snapshot against tar --listed-incremental of the same change. */
async function incremental(dir: string, app: string, repo: ReturnType<typeof localRepo>, files: number) {
  const snar = join(dir, 'app.snar');
  timed(['tar', '--listed-incremental', snar, '-cf', join(dir, 'level0.tar'), '-C', dir, 'app']);
  rmSync(join(dir, 'level0.tar'));
  const changed = Math.max(1, Math.round(files / 100));
  for (let i = 0; i < changed; i++) writeRandomFile(join(app, `d${(i * 7) % 16}`, `f${(i * 7) % files}.bin`), FILE_BYTES);
  const tarInc = join(dir, 'level1.tar');
  const tarIncrementalMs = timed(['tar', '--listed-incremental', snar, '-cf', tarInc, '-C', dir, 'app']);
  const tarIncrementalBytes = statSync(tarInc).size;
  const [incMs, s] = await ms(() => backup(repo, [app], { host: 'bench' }));
  return {
    changedBytes: changed * FILE_BYTES,
    incrementalMs: round(incMs, 0),
    incrementalAddedBytes: s.addedBytes,
    tarIncrementalMs: round(tarIncrementalMs, 0),
    tarIncrementalBytes,
  };
}

/** A stand-in container with the folder bind-mounted, stopped by the agent's snapshot and started again. */
async function downtimeRows(dir: string, app: string, log: (line: string) => void): Promise<SnapshotResult['downtime']> {
  const probe = probeTestbed();
  if (!probe.ok) return { skipped: probe.reason };
  const docker = new Docker({ socketPath: probe.testbed.dockerSocket });
  const project = `bench-snap-${randomBytes(3).toString('hex')}`;
  const c = await docker.createContainer({
    Image: probe.testbed.standinImage,
    Labels: { 'com.docker.compose.project': project },
    HostConfig: { Binds: [`${app}:/data`], Init: true },
  });
  try {
    await c.start();
    const ref: AppDataRef = { repo: localRepo(join(dir, 'downtime-state')), docker, identifier: 'bench-app', project, appDir: app };
    const first = (await takeSnapshot(ref, { reason: 'manual', taskId: 'bench-1' }))!.report;
    const second = (await takeSnapshot(ref, { reason: 'manual', taskId: 'bench-2' }))!.report;
    const t = performance.now();
    await c.stop({ t: 30 });
    await c.start();
    const stopStartMs = performance.now() - t;
    log(`snapshot downtime: first ${first.downtime_ms} ms, incremental ${second.downtime_ms} ms`);
    return { firstMs: first.downtime_ms, incrementalMs: second.downtime_ms, stopStartMs: round(stopStartMs, 0) };
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}
