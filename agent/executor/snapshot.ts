/**
 * Step snapshot: the install's data (app folder, named volumes) into the HDA's local restic
 * repository before anything changes, the containers stopped for the moment it takes. A task run again
 * after the agent stopped re-uses the snapshot of its first run (kept in the journal), so a resumed
 * update never takes a snapshot of data the new version may already have migrated. A failed snapshot
 * stops the task with the reason; the app is started again as it was.
 */
import type { SnapshotReason, SnapshotReport, TaskKind } from '../../core/protocol';
import { takeSnapshot, type AppDataRef } from '../backup/app-data';
import { localRepo } from '../backup/repo-local';
import { describeDockerError } from '../docker/client';
import { defineStep, type StepBase } from './steps';
import { StepFailure, type TakenSnapshot } from './types';

/** Why each kind snapshots the install's data before it changes anything (uninstall: only with purge). */
export const SNAPSHOT_BEFORE: Partial<Record<TaskKind, SnapshotReason>> = {
  update: 'update',
  rollback: 'rollback',
  uninstall: 'uninstall',
  restore: 'restore',
  snapshot: 'manual',
};

const MEMO = 'snapshot';
/** The containers the snapshot stopped: a run after a crash mid-snapshot starts them again. */
const MEMO_STOPPED = 'snapshot-stopped';

export function appDataRef(ctx: StepBase, project: string, docker: AppDataRef['docker']): AppDataRef {
  const { work, deps } = ctx;
  return { repo: localRepo(deps.config.stateDir), docker, identifier: work.identifier, project, appDir: work.appDir };
}

export const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export const snapshotStep = defineStep({
  name: 'snapshot',
  title: "Taking a snapshot of the app's data",
  needs: [],
  gives: ['snapshot'],
  when: (w) => w.snapshotReason !== undefined,
  async run(ctx) {
    const { work, task, report, input } = ctx;
    const kept = ctx.memo?.get(MEMO) as SnapshotReport | undefined;
    if (kept) {
      // A run after the agent stopped: the product comes back from the journal, the data is not snapshotted twice.
      report.ok(`re-using snapshot ${kept.id.slice(0, 8)} taken before the agent stopped`, { snapshot: kept });
      return { summary: `snapshot ${kept.id.slice(0, 8)} (taken earlier in this task)`, made: { snapshot: { report: kept } } };
    }
    const made: TakenSnapshot = {};
    try {
      const docker = await ctx.deps.docker.docker();
      let last = 0;
      const taken = await takeSnapshot(appDataRef(ctx, input.target.project, docker), {
        reason: work.snapshotReason ?? 'manual',
        taskId: task.id,
        keepStopped: work.restoreSnapshot !== undefined || task.kind === 'uninstall',
        live: input.target.switchFrom !== undefined,
        signal: ctx.signal,
        alreadyStopped: (ctx.memo?.get(MEMO_STOPPED) as string[] | undefined) ?? [],
        onQuiesced: (ids) => ctx.memo?.set(MEMO_STOPPED, ids),
        onProgress: (fraction, bytesDone, totalBytes) => {
          if (Date.now() - last < 1000) return;
          last = Date.now();
          report.progress(`snapshot ${Math.round(fraction * 100)}%`, { current: bytesDone, total: totalBytes, fraction });
        },
      });
      if (taken?.report) made.report = taken.report;
      if (taken?.held) made.held = taken.held;
    } catch (e) {
      ctx.deps.docker.reset(e);
      throw new StepFailure(
        `the snapshot of the app's data failed, so nothing was changed: ${describeDockerError(e, ctx.deps.config.dockerSocket)}`,
        errorData(e),
      );
    }
    const snap = made.report;
    if (!snap) return { summary: 'the app has no data folder or volume yet: nothing to snapshot', made: { snapshot: made } };
    ctx.memo?.set(MEMO, snap);
    report.ok(`snapshot ${snap.id.slice(0, 8)}: ${mib(snap.size_bytes)}, ${mib(snap.added_bytes)} added; the app was down ${snap.downtime_ms} ms`, {
      snapshot: snap,
    });
    return { summary: `snapshot ${snap.id.slice(0, 8)} taken (${snap.reason})`, made: { snapshot: made } };
  },
});

function errorData(e: unknown): Record<string, unknown> | undefined {
  const detail = (e as { detail?: string }).detail;
  return detail ? { output: detail } : undefined;
}
