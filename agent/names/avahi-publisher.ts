/**
 * One name published over multicast DNS: an `avahi-publish -a -R <name> <address>` child, which
 * holds the record in avahi-daemon for as long as it lives (avahi withdraws it when the child goes).
 * The child is supervised: its messages set the state (probing, published, collision, failed), and a
 * child that exits is started again after a growing delay, so a daemon that is down or a name another
 * device holds is retried without a loop. avahi does not rename an address record on a collision: the
 * child exits, and the collision is what is reported.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { MdnsState } from '../../core/protocol/lan-modes';
import { Backoff } from '../backoff';

export interface PublisherOptions {
  /** The publish command before its arguments (default `avahi-publish`). */
  command?: string[];
  backoff?: Backoff;
  /** Called when the state changes (logs, tests). */
  onState?: (p: AvahiPublisher) => void;
}

/** avahi-publish's messages (stderr), from avahi-utils 0.8. */
const ESTABLISHED = /^Established under name '(.+)'$/;
const COLLISION = /Name collision/;
const NO_DAEMON = /Daemon not running/;

export class AvahiPublisher {
  state: MdnsState = 'probing';
  /** Why the name is not published, in words (collision or failure). */
  reason?: string;
  private child: ChildProcess | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private waiters: Array<() => void> = [];
  private readonly backoff: Backoff;

  constructor(
    readonly name: string,
    readonly address: string,
    private readonly o: PublisherOptions = {},
  ) {
    this.backoff = o.backoff ?? new Backoff({ baseMs: 1000, capMs: 5 * 60_000 });
  }

  /** The child's argv: the name and address as arguments, never a shell line. */
  argv(): string[] {
    return [...(this.o.command ?? ['avahi-publish']), '-a', '-R', this.name, this.address];
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.stopped || this.child) return;
    const [cmd, ...args] = this.argv();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let last = '';
    const onLine = (line: string) => {
      last = line.trim() || last;
      this.read(line.trim());
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    child.on('error', (e) => this.exited(child, `cannot run ${cmd}: ${e.message}`));
    child.on('exit', (code, signal) => this.exited(child, last || `${cmd} exited (${signal ?? `code ${code}`})`));
  }

  private read(line: string): void {
    if (ESTABLISHED.test(line)) {
      this.backoff.reset();
      this.set('published');
    } else if (COLLISION.test(line)) this.set('collision', `another device on the network already answers for ${this.name}`);
    else if (NO_DAEMON.test(line)) this.set('failed', `avahi-daemon is not running: ${this.name} is not published`);
  }

  private exited(child: ChildProcess, why: string): void {
    if (this.child !== child) return;
    this.child = null;
    if (this.stopped) return;
    if (this.state !== 'collision' && !(this.state === 'failed' && this.reason)) this.set('failed', `${this.name} is not published: ${why}`);
    else this.set(this.state, this.reason);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, this.backoff.next());
    this.restartTimer.unref();
  }

  private set(state: MdnsState, reason?: string): void {
    this.state = state;
    this.reason = reason;
    for (const w of this.waiters.splice(0)) w();
    this.o.onState?.(this);
  }

  /** The state once the child has said where the name stands, or after `waitMs`. */
  async settled(waitMs: number, signal?: AbortSignal): Promise<MdnsState> {
    if (this.state !== 'probing' || waitMs <= 0) return this.state;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, waitMs);
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
    return this.state;
  }

  /** Withdraws the name: the child is ended (avahi sends the goodbye) and never started again. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  }
}
