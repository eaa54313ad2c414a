/**
 * The agent's end of the HDA channel (core/protocol/channel-frames.ts): a WebSocket kept open to the control plane,
 * which rings it when work is queued; the poll loop then claims over the protocol. It pings to keep
 * proxies and NAT from closing an idle connection, ends a connection that stops answering, and
 * reconnects with jittered backoff (a deploy drops every socket at once). While it is not open the
 * loop long-polls as before, so a proxy that refuses upgrades only costs the channel's speed.
 */
import WebSocket from 'ws';
import { CHANNEL_MAX_FRAME, CHANNEL_PATH, CHANNEL_PING, parseChannelFrame } from '../core/protocol/channel-frames';
import { Backoff, sleep } from './backoff';
import type { Logger } from './log';
import { AGENT_VERSION } from './version';

export interface ChannelOptions {
  server: string;
  token: string;
  log: Logger;
  /** Keep-alive ping interval; two without an answer end the connection. */
  pingMs?: number;
  backoff?: Backoff;
}

export type RingWait = 'ring' | 'closed' | 'timeout';

export class AgentChannel {
  private socket: WebSocket | null = null;
  private rung = false;
  private readonly waiters = new Set<(why: RingWait) => void>();
  private readonly backoff: Backoff;
  /** Connections opened, rings heard, upgrades refused: what tests and the status command read. */
  opened = 0;
  rings = 0;
  refusals = 0;

  constructor(private readonly o: ChannelOptions) {
    this.backoff = o.backoff ?? new Backoff({ baseMs: 1000, capMs: 5 * 60_000 });
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Resolves once a connection attempt in progress has opened or failed (at once when none is). */
  settled(stop: AbortSignal): Promise<void> {
    const ws = this.socket;
    if (ws?.readyState !== WebSocket.CONNECTING) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        ws.off('open', done);
        ws.off('close', done);
        stop.removeEventListener('abort', done);
        resolve();
      };
      ws.on('open', done);
      ws.on('close', done);
      stop.addEventListener('abort', done, { once: true });
    });
  }

  /** Keeps the channel open until `stop` aborts, reconnecting after each loss. */
  async run(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      await this.connectOnce(stop);
      if (stop.aborted) break;
      const delay = this.backoff.next();
      this.o.log.debug('channel closed; reconnecting', { retry_in_ms: delay });
      await sleep(delay, stop);
    }
  }

  /**
   * Resolves 'ring' at once if rung since the last call, else at the next ring; 'closed' when the
   * channel is not (or no longer) open; 'timeout' after `timeoutMs`.
   */
  waitForRing(stop: AbortSignal, timeoutMs: number): Promise<RingWait> {
    if (this.rung) {
      this.rung = false;
      return Promise.resolve('ring');
    }
    if (!this.isOpen || stop.aborted) return Promise.resolve('closed');
    return new Promise((resolve) => {
      const done = (why: RingWait) => {
        clearTimeout(timer);
        stop.removeEventListener('abort', onStop);
        this.waiters.delete(done);
        if (why === 'ring') this.rung = false;
        resolve(why);
      };
      const onStop = () => done('closed');
      const timer = setTimeout(() => done('timeout'), timeoutMs);
      stop.addEventListener('abort', onStop, { once: true });
      this.waiters.add(done);
    });
  }

  private wake(why: RingWait): void {
    if (why === 'ring') this.rung = true;
    for (const done of [...this.waiters]) done(why);
  }

  private url(): string {
    const url = new URL(CHANNEL_PATH, this.o.server);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString();
  }

  /** One connection, from the handshake to its close. */
  private connectOnce(stop: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const ws = new WebSocket(this.url(), {
        headers: { authorization: `Bearer ${this.o.token}`, 'user-agent': `hda-agent/${AGENT_VERSION}` },
        maxPayload: CHANNEL_MAX_FRAME,
        handshakeTimeout: 15_000,
      });
      this.socket = ws;
      let answered = true;
      let pinger: NodeJS.Timeout | null = null;
      const onStop = () => ws.close(1000, 'agent stopping');
      stop.addEventListener('abort', onStop, { once: true });
      ws.on('open', () => {
        this.opened++;
        this.backoff.reset();
        this.o.log.info('channel open: tasks arrive when the control plane rings');
        // What was queued while the channel was down: look once now.
        this.wake('ring');
        pinger = setInterval(() => {
          if (!answered) return ws.terminate(); // the peer went silent: reconnect
          answered = false;
          ws.send(CHANNEL_PING);
        }, this.o.pingMs ?? 30_000);
      });
      ws.on('message', (data, isBinary) => {
        answered = true;
        if (isBinary) return;
        if (parseChannelFrame(data.toString())?.type === 'ring') {
          this.rings++;
          this.wake('ring');
        }
      });
      ws.on('unexpected-response', (_req, res) => {
        this.refusals++;
        this.o.log.warn('the control plane did not open the channel; long-polling instead', { status: res.statusCode });
        res.resume();
        ws.terminate();
      });
      ws.on('error', (e) => this.o.log.debug('channel error', { reason: e.message }));
      ws.on('close', () => {
        if (pinger) clearInterval(pinger);
        stop.removeEventListener('abort', onStop);
        if (this.socket === ws) this.socket = null;
        this.wake('closed');
        resolve();
      });
    });
  }
}
