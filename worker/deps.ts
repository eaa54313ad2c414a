/** Builds the Deps both entries hand to createApp. Web APIs only. */
import type { JWK } from 'jose';
import { memoryThrottle, type LoginThrottle } from './auth/login-throttle';
import { defaultConfig, type Config, type Deps, type Doorbell, type QueueListeners } from './context';
import type { AgentBundleSource } from './services/agent-installer';
import type { Database } from './db';
import { createSigner } from './services/signer';
import { fleetListeners } from './services/batches';
import { IdleCache } from './services/idle-cache';
import { createWaker, HDA_KEY_PREFIX } from './waker';

/**
 * The control plane's clock. `now` is the source's time that never goes back. `stamp` is also
 * strictly increasing, for the created-at of records whose order matters (two tasks queued in one
 * millisecond). Only `stamp` may step ahead of the source, and only by the records made in one
 * millisecond: a clock that stepped on every reading ran ahead of the wall by the poll rate (a
 * thousand idle polls a second doubled its speed, and leases and caches ended early).
 */
export function monotonicClock(source: () => number = Date.now): { now: () => number; stamp: () => number } {
  let last = 0;
  return {
    now: () => (last = Math.max(source(), last)),
    stamp: () => (last = Math.max(source(), last + 1)),
  };
}

export function buildDeps(opts: {
  db: Database;
  jwtSecret: string;
  signingKey: JWK;
  previousSigningKey?: JWK;
  config?: Partial<Config>;
  now?: () => number;
  agentBundle?: AgentBundleSource;
  loginThrottle?: LoginThrottle;
  /** Rings the HDAs' channels (Node: the in-process hub; Workers: one Durable Object per HDA). */
  doorbell?: Doorbell;
  listeners?: QueueListeners;
}): Deps {
  if (opts.jwtSecret.length < 32) throw new Error('JWT_SECRET must be at least 32 characters');
  const config = { ...defaultConfig, ...opts.config };
  const waker = createWaker(config.pollRecheckMs);
  const idleHdas = config.pollIdleCacheMs > 0 ? new IdleCache(config.pollIdleCacheMs) : undefined;
  return {
    db: opts.db,
    jwtSecret: new TextEncoder().encode(opts.jwtSecret),
    signer: createSigner(opts.signingKey, opts.previousSigningKey),
    // Whatever wakes an HDA's polls (new work, a new or revoked token) also ends its idle answer.
    waker: idleHdas
      ? {
          wait: waker.wait,
          notify: (key) => {
            dropIdle(idleHdas, key);
            waker.notify(key);
          },
        }
      : waker,
    doorbell: opts.doorbell ?? silentDoorbell,
    listeners: opts.listeners ?? fleetListeners,
    ...monotonicClock(opts.now),
    config,
    idleHdas,
    agentBundle: opts.agentBundle,
    loginThrottle: opts.loginThrottle ?? memoryThrottle(),
  };
}

/** No channels: agents only poll. */
const silentDoorbell: Doorbell = { ring: async () => undefined, hangUp: async () => undefined };

function dropIdle(cache: IdleCache, key: string) {
  if (key.startsWith(HDA_KEY_PREFIX)) cache.delete(key.slice(HDA_KEY_PREFIX.length));
}
