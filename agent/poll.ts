/**
 * The agent's main loop: first finish what a previous run left (results not posted, events not
 * acknowledged, a task in hand when the agent died), then long-poll for tasks. Main tasks (install,
 * update, ...) run one at a time in the order they come; the loop keeps polling while one runs, so
 * an aux task (logs) the control plane hands out meanwhile starts at once and runs beside it, and
 * the next main task arrives on the poll held open meanwhile as soon as the control plane records
 * the result of the one in hand. A poll is never dropped while the server may be answering it
 * (a claim in a reply nobody reads would sit out its lease). An unreachable control plane means
 * backoff with jitter; an answer that comes back empty too fast means a short pause, so the loop
 * never spins. On shutdown the poll stops at once; tasks in hand finish (a log follow ends early),
 * or, when the grace period runs out, stop between two steps and are handed back, as are tasks
 * claimed but not started. While the HDA channel (channel.ts) is open the loop does not hold a poll:
 * it claims when rung (and once in a while, for a lease that ran out unannounced).
 */
import type { ClaimedTask } from '../core/protocol';
import { Backoff, sleep } from './backoff';
import type { AgentChannel } from './channel';
import { ProtocolError, type ProtocolClient } from './client';
import type { EventSender } from './events';
import type { Executor, TaskOutcome } from './executor/index';
import { AUX_KINDS, isOneOf } from '../core/protocol/kinds';
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
  /** The HDA channel: while it is open, claim when rung instead of holding a long poll. */
  channel?: Pick<AgentChannel, 'isOpen' | 'waitForRing' | 'settled'>;
  /** With the channel open, look without a ring this often (a lease that ran out rings nobody). */
  unrungLookMs?: number;
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
  /** Main tasks claimed and waiting for the one in hand to finish. */
  private readonly mainQueue: ClaimedTask[] = [];
  private mainRunning: Promise<void> | null = null;
  /** Cuts the backoff sleep short: a main task finished, so the control plane is back. */
  private backoffSleep: AbortController | null = null;
  /** Every task running now, main or aux, by id (a task handed out again while it runs is not started twice). */
  private readonly running = new Map<string, Promise<void>>();

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
        const waitS = await this.waitForWork(signals.stop);
        if (signals.stop.aborted) break;
        this.polls++;
        tasks = await this.o.client.pollTasks(waitS, signals.stop);
        this.backoff.reset();
        this.o.log.debug('poll answered', { tasks: tasks.map((t) => `${t.kind} ${t.id}`), wait_s: waitS, ms: Date.now() - started });
      } catch (e) {
        if (signals.stop.aborted) break;
        const delay = this.backoff.next();
        const auth = e instanceof ProtocolError && e.status === 401;
        this.o.log[auth ? 'error' : 'warn'](
          auth ? 'the control plane rejects the agent token (revoked? re-enroll)' : 'control plane unreachable; backing off',
          { reason: (e as Error).message, retry_in_ms: delay },
        );
        const cut = new AbortController();
        this.backoffSleep = cut;
        await sleep(delay, AbortSignal.any([signals.stop, cut.signal]));
        this.backoffSleep = null;
        continue;
      }
      for (const task of tasks) this.accept(task, signals);
      if (tasks.length === 0 && !this.o.channel?.isOpen && Date.now() - started < minIdle) await sleep(minIdle, signals.stop);
    }
    // Claimed but never started: back to the queue. Then let what runs finish.
    for (const task of this.mainQueue.splice(0)) await this.handBack(task, 'stopping before starting it');
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * With the channel open: waits for a ring (or the unrung look) and answers 0, a poll that only
   * claims. Otherwise at once, with the long poll's wait.
   */
  private async waitForWork(stop: AbortSignal): Promise<number> {
    const channel = this.o.channel;
    if (!channel) return this.o.waitS;
    await channel.settled(stop); // a connection being opened decides between ring and long poll
    if (!channel.isOpen) return this.o.waitS;
    const why = await channel.waitForRing(stop, this.o.unrungLookMs ?? 10 * 60_000);
    return why === 'closed' ? this.o.waitS : 0;
  }

  private accept(task: ClaimedTask, signals: LoopSignals): void {
    if (this.running.has(task.id) || this.mainQueue.some((t) => t.id === task.id)) return;
    if (isOneOf(AUX_KINDS, task.kind)) {
      this.track(task, this.runTask(task, signals));
      return;
    }
    this.mainQueue.push(task);
    this.pumpMain(signals);
  }

  private pumpMain(signals: LoopSignals): void {
    if (this.mainRunning || this.mainQueue.length === 0 || signals.stop.aborted) return;
    const task = this.mainQueue.shift()!;
    this.mainRunning = this.track(task, this.runTask(task, signals)).then(() => {
      this.mainRunning = null;
      // Its result reached the control plane, so the backoff (up to a minute) would only hold back
      // the next task, queued perhaps during the outage.
      this.backoffSleep?.abort();
      this.pumpMain(signals);
    });
  }

  private track(task: ClaimedTask, p: Promise<void>): Promise<void> {
    const guarded = p.catch((e) => this.o.log.error('task runner failed', { task: task.id, error: (e as Error).message }));
    this.running.set(task.id, guarded);
    return guarded.finally(() => this.running.delete(task.id));
  }

  private async runTask(task: ClaimedTask, signals: LoopSignals): Promise<void> {
    const outcome = await this.o.executor.execute(task, signals.abortWork, signals.stop);
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
