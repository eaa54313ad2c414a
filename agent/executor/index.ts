/**
 * Runs one claimed task: the steps of its kind in order, each opened with `Starting` and closed with
 * `Complete`, a failure reported as `Error` with the step and the reason, and `Finalized` at the end.
 * Nothing a task carries can crash the agent: every error becomes a failed task. A task started again
 * (after a crash or a lost lease) runs every step again; each step converges to the same end state.
 * A failed update or rollback returns to what ran before it (fallback.ts) and says so.
 * The steps (and what they use: YAML, signatures, the compose policy, dockerode) load with the first
 * task, so an agent with nothing to do never has them in memory.
 */
import type { AppRunState, AppVersionContent, ClaimedTask, HdaWideKind, TaskKind, TaskOf, TaskResultInput } from '../../core/protocol';
import { HDA_WIDE_KINDS, isOneOf, PORT_SETTING_KINDS, VERSION_CHANGING_KINDS } from '../../core/protocol/kinds';
import { appStatus } from '../docker/containers';
import { TaskReporter, type EventSender } from '../events';
import type { Journal } from '../journal';
import { liveSlot } from '../slots';
import { appDirFor, COMPOSE_FILE, composeDirFor } from './paths';
import { SNAPSHOT_BEFORE } from './snapshot';
import { runningSettings } from './restore';
import { Interrupted, StepFailure, type BackInputs, type ExecutorDeps, type Step, type StepContext, type TaskWork } from './types';
import { join } from 'node:path';
import { SecretStore } from '../secrets';

export type TaskOutcome = 'succeeded' | 'failed' | 'interrupted';

export interface PlanFailure {
  step: string;
  reason: string;
}

/**
 * The steps of each kind: a step written for other kinds does not type-check in a kind's plan. The
 * install's plan is also how a failed update returns to the previous deployment, so its steps take
 * any task on an install.
 */
export type Plans = { [K in Exclude<TaskKind, 'install'>]?: Step<K>[] } & {
  install?: Step[];
  /** An install whose payload asks for its data from the off-HDA backup (a replacement HDA). */
  adopt?: Step<'install'>[];
};

/** A task that acts on the whole HDA: it carries no install. */
function isHdaWide(task: ClaimedTask): task is TaskOf<HdaWideKind> {
  return isOneOf(HDA_WIDE_KINDS, task.kind);
}

export class Executor {
  private plans: Plans | null;

  constructor(
    private readonly deps: ExecutorDeps,
    private readonly journal: Journal,
    private readonly sender: EventSender,
    /** The steps of each kind; tests swap in their own. Default: ./plans, loaded with the first task. */
    plans?: Plans,
  ) {
    this.plans = plans ?? null;
  }

  private async loadPlans(): Promise<Plans> {
    this.plans ??= (await import('./plans')).AGENT_PLANS;
    return this.plans;
  }

  /**
   * Runs the task and delivers its result; 'interrupted' leaves it in the journal, in hand.
   * `stopSoon` (the agent is stopping) only makes open-ended work such as a log follow end early.
   */
  async execute(task: ClaimedTask, signal: AbortSignal, stopSoon?: AbortSignal): Promise<TaskOutcome> {
    const known = this.journal.get(task.id);
    if (known?.result) {
      // Finished before a restart; only the report is missing.
      await this.sender.deliverResult(task.id, signal);
      return known.result.state;
    }
    const rec = this.journal.begin(task);
    const reporter = new TaskReporter(task.id, this.journal, this.sender, this.deps.log);
    if (rec.runs > 1)
      reporter.emit('Warning', `running the task again (run ${rec.runs}) after the agent stopped mid-task; every step converges`, undefined, { run: rec.runs });
    let result: TaskResultInput;
    try {
      result = await this.run(task, reporter, signal, stopSoon);
    } catch (e) {
      if (e instanceof Interrupted) return 'interrupted';
      // A bug, not bad input: still a failed task with a reason, never a dead agent.
      this.deps.log.error('task crashed', { task: task.id, error: reporter.scrub((e as Error).stack ?? String(e)) });
      reporter.emit('Error', `internal error: ${(e as Error).message}`);
      result = { state: 'failed', detail: `internal agent error: ${(e as Error).message}` };
      reporter.emit('Finalized', `${task.kind} failed`);
    }
    reporter.setResult(result);
    this.deps.onAppChanged?.();
    await this.sender.deliverResult(task.id, signal);
    return result.state;
  }

  /** What the steps start from: the install's folder and the slot that serves it now (the `target` product). */
  newWork(task: ClaimedTask, versionGiven?: AppVersionContent, signatureGiven?: string | null, back?: BackInputs): TaskWork {
    if (isHdaWide(task)) return { identifier: '', appDir: '', secrets: {}, made: { target: { slot: 'a', project: '', hostPort: 0, composeFile: '' } } };
    const inst = task.payload.install;
    const version = versionGiven ?? task.payload.version;
    const signature = signatureGiven === undefined ? (task.payload.signature ?? null) : signatureGiven;
    const identifier = inst.identifier;
    const appDir = appDirFor(this.deps.config.appsRoot, identifier);
    const rec = this.deps.installs.get(identifier);
    const live = liveSlot(rec, this.deps.config.namespace ?? '', identifier, inst.host_port);
    const restore = version ? rec?.history?.find((h) => h.version === version.version)?.images : undefined;
    const composeFile = join(composeDirFor(this.deps.config.stateDir, identifier), COMPOSE_FILE);
    const before = task.kind === 'reconfigure' ? runningSettings(rec, composeFile, this.deps.config.namespace ?? '') : undefined;
    const snapshotReason = task.kind === 'uninstall' && task.payload.purge !== true ? undefined : SNAPSHOT_BEFORE[task.kind];
    const restoreSnapshot = task.kind === 'rollback' || task.kind === 'restore' ? task.payload.restore_snapshot?.id : undefined;
    return {
      identifier,
      appDir,
      ...(before ? { before } : {}),
      version,
      signature,
      made: {
        target: {
          composeFile,
          project: live.project,
          // A reconfigure moves whichever slot serves to the port it carries.
          hostPort: task.kind === 'reconfigure' ? inst.host_port : live.port,
          slot: live.slot,
          installPort: inst.host_port,
        },
      },
      // The values this install already has: every render re-uses them, and no report carries them.
      secrets: new SecretStore(this.deps.config.stateDir).load(identifier),
      ...(task.kind === 'rollback' && restore ? { restorePins: restore } : {}),
      purge: task.kind === 'uninstall' && task.payload.purge === true,
      ...(snapshotReason ? { snapshotReason } : {}),
      // Data put back is never shared with a second blue/green slot.
      ...(restoreSnapshot ? { restoreSnapshot, noSwitch: true } : {}),
      ...back,
    };
  }

  private async run(task: ClaimedTask, reporter: TaskReporter, signal: AbortSignal, stopSoon?: AbortSignal): Promise<TaskResultInput> {
    const plans = await this.loadPlans();
    // Each kind's plan holds steps of that kind (Plans): this task's kind picks its own.
    const own = task.kind === 'install' && task.payload.restore_offsite ? plans.adopt : plans[task.kind];
    const plan = own as Step<TaskKind>[] | undefined;
    if (!plan) {
      const why = `this agent cannot run ${JSON.stringify(task.kind)} tasks`;
      reporter.emit('Error', why);
      reporter.emit('Finalized', `${task.kind} failed`);
      return { state: 'failed', detail: why };
    }
    let work: TaskWork;
    const newWork = (version?: TaskWork['version'], signature?: string | null, back?: BackInputs) => {
      const w = this.newWork(task, version, signature, back);
      reporter.hide(w.secrets);
      return w;
    };
    try {
      work = newWork();
    } catch (e) {
      const step = plan[0].name;
      reporter.emit('Error', (e as Error).message, step);
      reporter.emit('Finalized', `${task.kind} failed at ${step}`);
      return { state: 'failed', step, detail: `${step}: ${(e as Error).message}` };
    }
    const failure = await this.runSteps(plan, task, work, reporter, signal, stopSoon);
    if (!failure) return this.succeeded(task, work, reporter);
    let detail = `${task.kind} failed at step ${failure.step}: ${failure.reason}`;
    let restored: string | undefined;
    const { fallBack } = await import('./fallback');
    if (!isHdaWide(task)) {
      const back = await fallBack(
        { task, work, failure, reporter, deps: this.deps, restorePlan: plans.install },
        (plan2, work2) => this.runSteps(plan2, task, work2, reporter, signal, stopSoon),
        newWork,
      );
      detail += back.detail;
      restored = back.restored;
    }
    reporter.emit('Finalized', detail, undefined, { failed_step: failure.step });
    const app_state = await this.currentState(work.identifier, task);
    return { state: 'failed', step: failure.step, detail, app_state, ...dataReport(work, restored) };
  }

  /** The result of a run whose steps all passed, from what they produced. */
  private succeeded(task: ClaimedTask, work: TaskWork, reporter: TaskReporter): TaskResultInput {
    const { target, images, outcome, rendered } = work.made;
    if (task.kind === 'start') this.deps.installs.setDesired(work.identifier, 'running');
    if (isOneOf(VERSION_CHANGING_KINDS, task.kind) && work.version && !work.made.recorded) {
      this.deps.installs.recordDeployment(work.identifier, work.version.version, images?.pins ?? {});
    }
    const detail = outcome?.detail ?? this.successDetail(task, work);
    const live = work.identifier && isOneOf(VERSION_CHANGING_KINDS, task.kind) ? { project: target.project, live_port: target.hostPort } : undefined;
    reporter.emit('Finalized', detail, undefined, outcome?.finalData ?? live);
    return {
      state: 'succeeded',
      detail,
      app_state: outcome?.appState ?? (task.kind === 'stop' ? 'stopped' : task.kind === 'uninstall' ? 'removed' : 'running'),
      ...(rendered ? { rendered_compose: rendered.text } : {}),
      ...(images && Object.keys(images.ids).length ? { images: images.ids } : {}),
      ...(isOneOf(PORT_SETTING_KINDS, task.kind) && target.installPort ? { host_port: target.installPort } : {}),
      ...dataReport(work),
    };
  }

  /** Runs the steps; the first failure stops them and is returned. Throws Interrupted on shutdown. */
  private async runSteps<K extends TaskKind>(
    plan: Step<K>[],
    task: TaskOf<K>,
    work: TaskWork,
    reporter: TaskReporter,
    signal: AbortSignal,
    stopSoon?: AbortSignal,
  ): Promise<PlanFailure | null> {
    for (const step of plan) {
      if (signal.aborted) throw new Interrupted();
      if (step.when && !step.when(work)) continue;
      reporter.emit('Starting', step.title, step.name);
      const ctx: StepContext<K> = {
        task,
        deps: this.deps,
        work,
        signal,
        stopSoon,
        memo: { get: (k) => this.journal.get(task.id)?.memo?.[k], set: (k, v) => this.journal.setMemo(task.id, k, v) },
        report: {
          ok: (m, d) => reporter.emit('OK', m, step.name, d),
          warn: (m, d) => reporter.emit('Warning', m, step.name, d),
          progress: (m, d, p) => reporter.emit('Progress', m, step.name, d, p),
        },
      };
      try {
        const summary = await step.run(ctx);
        reporter.emit('Complete', summary, step.name);
      } catch (e) {
        if (signal.aborted) throw new Interrupted();
        const reason = e instanceof StepFailure ? e.message : `unexpected error: ${(e as Error).message}`;
        if (!(e instanceof StepFailure)) this.deps.log.error('step crashed', { step: step.name, error: reporter.scrub((e as Error).stack ?? '') });
        reporter.emit('Error', reason, step.name, e instanceof StepFailure ? e.data : undefined);
        return { step: step.name, reason };
      }
    }
    return null;
  }

  private successDetail(task: ClaimedTask, work: TaskWork): string {
    const inst = isHdaWide(task) ? undefined : task.payload.install;
    const host = `${work.identifier}.${inst?.domain}`;
    switch (task.kind) {
      case 'uninstall':
        return `uninstalled ${work.identifier}${work.purge ? ' and deleted its folder' : '; its folder is kept'}`;
      case 'stop':
        return `stopped ${work.identifier}`;
      case 'start':
      case 'restart':
        return `${task.kind}ed ${work.identifier}; http://${host}/ answers`;
      case 'logs':
        return `sent the logs of ${work.identifier}`;
      default: {
        if (!inst) return `${task.kind} done`;
        const port = work.made.target.hostPort;
        const where = port !== inst.host_port ? ` (served from host port ${port})` : '';
        return `${work.version?.app ?? work.identifier} ${work.version?.version ?? ''} is running at http://${host}/${where}`.replace(/\s+/g, ' ');
      }
    }
  }

  /** The app's state now, from the slot the install record says is live. */
  private async currentState(identifier: string, task: ClaimedTask): Promise<AppRunState> {
    if (isHdaWide(task)) return 'unknown'; // HDA-wide: no app to look at
    try {
      const live = liveSlot(this.deps.installs.get(identifier), this.deps.config.namespace ?? '', identifier, task.payload.install.host_port);
      return (await appStatus(await this.deps.docker.docker(), live.project)).state;
    } catch (e) {
      this.deps.docker.reset(e);
      return 'unknown' as const;
    }
  }
}

/** The snapshot a task took and the one it put back (in this run, or in the way back after it failed), for the result. */
function dataReport(work: TaskWork, restoredBack?: string): Pick<TaskResultInput, 'snapshots' | 'restored_snapshot'> {
  const taken = work.made.snapshot?.report;
  // The way back's restore, when there was one, is the data the app has now.
  const restored = restoredBack ?? work.made.restored?.id;
  return { ...(taken ? { snapshots: [taken] } : {}), ...(restored ? { restored_snapshot: restored } : {}) };
}
