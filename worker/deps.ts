/** Builds the Deps both entries hand to createApp. Web APIs only. */
import type { JWK } from 'jose';
import { defaultConfig, type Config, type Deps } from './context';
import type { Database } from './db';
import { createSigner } from './services/signer';
import { IdleCache } from './services/idle-cache';
import { createWaker, HDA_KEY_PREFIX } from './waker';

/** Date.now(), but strictly increasing, so records made in the same millisecond keep their order. */
export function monotonicClock(): () => number {
  let last = 0;
  return () => (last = Math.max(Date.now(), last + 1));
}

export function buildDeps(opts: { db: Database; jwtSecret: string; signingKey: JWK; previousSigningKey?: JWK; config?: Partial<Config>; now?: () => number }): Deps {
  if (opts.jwtSecret.length < 32) throw new Error('JWT_SECRET must be at least 32 characters');
  const config = { ...defaultConfig, ...opts.config };
  const waker = createWaker(config.pollRecheckMs);
  const idleHdas = config.pollIdleCacheMs > 0 ? new IdleCache(config.pollIdleCacheMs) : undefined;
  return {
    db: opts.db,
    jwtSecret: new TextEncoder().encode(opts.jwtSecret),
    signer: createSigner(opts.signingKey, opts.previousSigningKey),
    // Whatever wakes an HDA's polls (new work, a new or revoked token) also ends its idle answer.
    waker: idleHdas ? { wait: waker.wait, notify: (key) => (dropIdle(idleHdas, key), waker.notify(key)) } : waker,
    now: opts.now ?? monotonicClock(),
    config,
    idleHdas,
  };
}

function dropIdle(cache: IdleCache, key: string) {
  if (key.startsWith(HDA_KEY_PREFIX)) cache.delete(key.slice(HDA_KEY_PREFIX.length));
}
