/** Builds the Deps both entries hand to createApp. Web APIs only. */
import type { JWK } from 'jose';
import { defaultConfig, type Config, type Deps } from './context';
import type { Database } from './db';
import { createSigner } from './services/signer';
import { createWaker } from './waker';

/** Date.now(), but strictly increasing, so records made in the same millisecond keep their order. */
export function monotonicClock(): () => number {
  let last = 0;
  return () => (last = Math.max(Date.now(), last + 1));
}

export function buildDeps(opts: { db: Database; jwtSecret: string; signingKey: JWK; previousSigningKey?: JWK; config?: Partial<Config>; now?: () => number }): Deps {
  if (opts.jwtSecret.length < 32) throw new Error('JWT_SECRET must be at least 32 characters');
  const config = { ...defaultConfig, ...opts.config };
  return {
    db: opts.db,
    jwtSecret: new TextEncoder().encode(opts.jwtSecret),
    signer: createSigner(opts.signingKey, opts.previousSigningKey),
    waker: createWaker(config.pollRecheckMs),
    now: opts.now ?? monotonicClock(),
    config,
  };
}
