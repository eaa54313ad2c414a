/**
 * The agent's main loop: first finish what a previous run left (results not posted, events not
 * acknowledged, a task in hand when the agent died), then long-poll for tasks and run them one at a
 * time. An unreachable control plane means backoff with jitter; an answer that comes back empty too
 * fast means a short pause, so the loop never spins. On shutdown the poll stops at once; the task in
 * hand finishes, or, when the grace period runs out, stops between two steps and is handed back.
 */
import type { ClaimedTask } from '../core/protocol';
import { Backoff, sleep } from './backoff';
import { ProtocolError, type ProtocolClient } from './client';
import type { EventSender } from './events';
import type { Executor, TaskOutcome } from './executor/index';
import type { Journal } from './journal';
import type { Logger } from './log';

export interface PollLoopOptions {
  client: ProtocolClient;
  executor: Pick<Executor, 'execute'>;
  journal: Journal;
  sender: EventSender;
  log: Logger;
  waitS: number;
  backoff?: Backoff;
  /** Shortest time between two polls that brought nothing (guards against a server that does not wait). */
  minIdleMs?: number;
  onTaskDone?: (task: ClaimedTask, outcome: TaskOutcome) => void;
}

export interface LoopSignals {
  /** Stop polling (SIGTERM): no new task is taken. */
  stop: AbortSignal;
  /** Stop working (grace period over): the task in hand stops between two steps. */
  abortWork: AbortSignal;
}

export class PollLoop {
  private readonly backoff: Backoff;
  polls = 0;

  constructor(private readonly o: PollLoopOptions) {
    this.backoff = o.backoff ?? new Backoff({ baseMs: 1000, capMs: 60_000 });
  }

  /** Delivers what a previous run left and resumes a task that was in hand. */
  async recover(signals: LoopSignals): Promise<void> {
    for (const rec of this.o.journal.list()) {
      if (signals.stop.aborted) return;
      if (rec.result) {
        this.o.log.info('delivering the result of a task finished before the restart', { task: rec.task_id });
        await this.o.sender.deliverResult(rec.task_id, signals.stop);
      } else if (rec.task) {
        this.o.log.info('resuming a task that was in hand when the agent stopped', { task: rec.task_id, kind: rec.task.kind });
        await this.runTask(rec.task, signals);
      } else if (rec.pending.length) {
        await this.o.sender.drain(rec.task_id, signals.stop).catch(() => undefined);
        const left = this.o.journal.get(rec.task_id);
        if (left && !left.pending.length && !left.task && !left.result) this.o.journal.finish(rec.task_id);
      }
    }
  }

  async run(signals: LoopSignals): Promise<void> {
    await this.recover(signals);
    const minIdle = this.o.minIdleMs ?? 1000;
    while (!signals.stop.aborted) {
      const started = Date.now();
      let tasks: ClaimedTask[];
      try {
        this.polls++;
        tasks = await this.o.client.pollTasks(this.o.waitS, signals.stop);
        this.backoff.reset();
      } catch (e) {
        if (signals.stop.aborted) break;
        const delay = this.backoff.next();
        const auth = e instanceof ProtocolError && e.status === 401;
        this.o.log[auth ? 'error' : 'warn'](
          auth ? 'the control plane rejects the agent token (revoked? re-enroll)' : 'control plane unreachable; backing off',
          { reason: (e as Error).message, retry_in_ms: delay },
        );
        await sleep(delay, signals.stop);
        continue;
      }
      for (const task of tasks) {
        if (signals.stop.aborted) {
          await this.handBack(task, 'stopping before starting it');
          continue;
        }
        await this.runTask(task, signals);
      }
      if (tasks.length === 0 && Date.now() - started < minIdle) await sleep(minIdle, signals.stop);
    }
  }

  private async runTask(task: ClaimedTask, signals: LoopSignals): Promise<void> {
    const outcome = await this.o.executor.execute(task, signals.abortWork);
    if (outcome === 'interrupted') {
      await this.handBack(task, 'stopped between two steps by shutdown');
      return;
    }
    this.o.onTaskDone?.(task, outcome);
  }

  /** Gives the task back to the queue; if the server cannot be told, it stays in hand for the next start. */
  private async handBack(task: ClaimedTask, why: string): Promise<void> {
    await this.o.sender.drain(task.id, AbortSignal.timeout(5000)).catch(() => undefined);
    try {
      await this.o.client.releaseTask(task.id);
      if (this.o.journal.get(task.id)) this.o.journal.release(task.id);
      this.o.log.info('task handed back to the control plane', { task: task.id, why });
    } catch (e) {
      if (!this.o.journal.get(task.id)?.task) this.o.journal.hold(task);
      this.o.log.warn('could not hand the task back; it resumes on the next start', { task: task.id, reason: (e as Error).message });
    }
  }
}
