/**
 * Runs one claimed task: the steps of its kind in order, each opened with `Starting` and closed with
 * `Complete`, a failure reported as `Error` with the step and the reason, and `Finalized` at the end.
 * Nothing a task carries can crash the agent: every error becomes a failed task. A task started again
 * (after a crash or a lost lease) runs every step again; each step converges to the same end state.
 */
import type { ClaimedTask, TaskResultInput } from '../../core/protocol';
import { appStatus } from '../docker/containers';
import { TaskReporter, type EventSender } from '../events';
import type { Journal } from '../journal';
import { appDirFor, COMPOSE_FILE } from './paths';
import { PLANS, ROLLBACK_AFTER, INSTALL_PLAN } from './plans';
import { Interrupted, StepFailure, type ExecutorDeps, type Step, type StepContext, type TaskWork } from './types';
import { join } from 'node:path';

export type TaskOutcome = 'succeeded' | 'failed' | 'interrupted';

interface PlanFailure {
  step: string;
  reason: string;
}

export class Executor {
  constructor(
    private readonly deps: ExecutorDeps,
    private readonly journal: Journal,
    private readonly sender: EventSender,
    /** The steps of each kind; tests swap in their own. */
    private readonly plans: Partial<Record<string, Step[]>> = PLANS,
  ) {}

  /** Runs the task and delivers its result; 'interrupted' leaves it in the journal, in hand. */
  async execute(task: ClaimedTask, signal: AbortSignal): Promise<TaskOutcome> {
    const known = this.journal.get(task.id);
    if (known?.result) {
      // Finished before a restart; only the report is missing.
      await this.sender.deliverResult(task.id, signal);
      return known.result.state;
    }
    const rec = this.journal.begin(task);
    const reporter = new TaskReporter(task.id, this.journal, this.sender, this.deps.log);
    if (rec.runs > 1) reporter.emit('Warning', `running the task again (run ${rec.runs}) after the agent stopped mid-task; every step converges`, undefined, { run: rec.runs });
    let result: TaskResultInput;
    try {
      result = await this.run(task, reporter, signal);
    } catch (e) {
      if (e instanceof Interrupted) return 'interrupted';
      // A bug, not bad input: still a failed task with a reason, never a dead agent.
      this.deps.log.error('task crashed', { task: task.id, error: (e as Error).stack ?? String(e) });
      reporter.emit('Error', `internal error: ${(e as Error).message}`);
      result = { state: 'failed', detail: `internal agent error: ${(e as Error).message}` };
      reporter.emit('Finalized', `${task.kind} failed`);
    }
    reporter.setResult(result);
    this.deps.onAppChanged?.();
    await this.sender.deliverResult(task.id, signal);
    return result.state;
  }

  private newWork(task: ClaimedTask): TaskWork {
    const identifier = task.payload?.install?.identifier;
    const appDir = appDirFor(this.deps.config.appsRoot, identifier);
    return {
      identifier,
      appDir,
      composeFile: join(appDir, COMPOSE_FILE),
      version: task.payload.version,
      signature: task.payload.signature ?? null,
      images: [],
      imageIds: {},
      purge: task.payload.purge === true,
    };
  }

  private async run(task: ClaimedTask, reporter: TaskReporter, signal: AbortSignal): Promise<TaskResultInput> {
    const plan = this.plans[task.kind];
    if (!plan) {
      const why = `this agent cannot run ${JSON.stringify(task.kind)} tasks`;
      reporter.emit('Error', why);
      reporter.emit('Finalized', `${task.kind} failed`);
      return { state: 'failed', detail: why };
    }
    let work: TaskWork;
    try {
      work = this.newWork(task);
    } catch (e) {
      const step = plan[0].name;
      reporter.emit('Error', (e as Error).message, step);
      reporter.emit('Finalized', `${task.kind} failed at ${step}`);
      return { state: 'failed', step, detail: `${step}: ${(e as Error).message}` };
    }
    const failure = await this.runSteps(plan, task, work, reporter, signal);
    if (!failure) {
      if (task.kind === 'start') this.deps.installs.setDesired(work.identifier, 'running');
      const detail = this.successDetail(task, work);
      reporter.emit('Finalized', detail);
      return {
        state: 'succeeded',
        detail,
        app_state: work.appState ?? (task.kind === 'stop' ? 'stopped' : task.kind === 'uninstall' ? 'removed' : 'running'),
        ...(work.rendered ? { rendered_compose: work.rendered } : {}),
        ...(Object.keys(work.imageIds).length ? { images: work.imageIds } : {}),
      };
    }
    let detail = `${task.kind} failed at step ${failure.step}: ${failure.reason}`;
    const previous = task.payload.previous;
    if (task.kind === 'update' && previous && ROLLBACK_AFTER.has(failure.step)) {
      reporter.emit('Warning', `rolling back to the previous deployment (${previous.version.version})`, undefined, { deployment_id: previous.deployment_id });
      const back: TaskWork = { ...this.newWork(task), version: previous.version, signature: previous.signature ?? null };
      const again = await this.runSteps(this.plans.install ?? INSTALL_PLAN, task, back, reporter, signal);
      detail += again ? `; rolling back failed too at ${again.step}: ${again.reason}` : `; rolled back to ${previous.version.version}`;
    }
    reporter.emit('Finalized', detail, undefined, { failed_step: failure.step });
    return { state: 'failed', step: failure.step, detail, app_state: await this.currentState(work.identifier) };
  }

  /** Runs the steps; the first failure stops them and is returned. Throws Interrupted on shutdown. */
  private async runSteps(plan: Step[], task: ClaimedTask, work: TaskWork, reporter: TaskReporter, signal: AbortSignal): Promise<PlanFailure | null> {
    for (const step of plan) {
      if (signal.aborted) throw new Interrupted();
      reporter.emit('Starting', step.title, step.name);
      const ctx: StepContext = {
        task,
        deps: this.deps,
        work,
        signal,
        report: {
          ok: (m, d) => reporter.emit('OK', m, step.name, d),
          warn: (m, d) => reporter.emit('Warning', m, step.name, d),
          progress: (m, d) => reporter.emit('Progress', m, step.name, d),
        },
      };
      try {
        const summary = await step.run(ctx);
        reporter.emit('Complete', summary, step.name);
      } catch (e) {
        if (signal.aborted) throw new Interrupted();
        const reason = e instanceof StepFailure ? e.message : `unexpected error: ${(e as Error).message}`;
        if (!(e instanceof StepFailure)) this.deps.log.error('step crashed', { step: step.name, error: (e as Error).stack });
        reporter.emit('Error', reason, step.name, e instanceof StepFailure ? e.data : undefined);
        return { step: step.name, reason };
      }
    }
    return null;
  }

  private successDetail(task: ClaimedTask, work: TaskWork): string {
    const host = `${work.identifier}.${task.payload.install.domain}`;
    switch (task.kind) {
      case 'uninstall':
        return `uninstalled ${work.identifier}${work.purge ? ' and deleted its folder' : '; its folder is kept'}`;
      case 'stop':
        return `stopped ${work.identifier}`;
      case 'start':
      case 'restart':
        return `${task.kind}ed ${work.identifier}; http://${host}/ answers`;
      default:
        return `${work.version?.app ?? work.identifier} ${work.version?.version ?? ''} is running at http://${host}/`.replace(/\s+/g, ' ');
    }
  }

  private async currentState(identifier: string) {
    try {
      return (await appStatus(await this.deps.docker.docker(), identifier)).state;
    } catch (e) {
      this.deps.docker.reset(e);
      return 'unknown' as const;
    }
  }
}
