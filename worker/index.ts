/**
 * The Workers entry. The database is a D1 binding named DB, or Turso/libSQL over HTTP
 * (LIBSQL_URL + LIBSQL_AUTH_TOKEN secrets, through @libsql/client/web). Migrations are applied out
 * of band (`wrangler d1 migrations apply`, or drizzle-kit for Turso). Sign-in throttling lives in
 * the LoginThrottleObject Durable Object; a cron trigger runs upkeep (scheduled(), worker/jobs/upkeep.ts).
 *
 * HDA channels: one HdaChannelObject per HDA holds its agent's WebSocket and is rung when work is
 * queued. Agents that cannot open it long-poll: isolates share no memory, so a waiting poll
 * re-checks the database every POLL_RECHECK_MS (default 2 s) in addition to in-isolate wake-ups.
 */
import { users } from '../db/schema';
import { seedAdmin, seedCatalog } from './first-start';
import { createApp } from './app';
import { durableThrottle } from './auth/login-throttle-object';
import { assetsAgentBundle } from './edge/agent-bundle';
import { durableDoorbell } from './edge/channel-doorbell';
import { openDatabase } from './edge/database';
import type { Deps } from './context';
import { buildDeps } from './deps';
import { runUpkeep } from './jobs/upkeep';
import { registerSigningKey } from './services/signer';
import { readSettings, reportOnce, SettingMissing, type Env } from './workers-settings';

export { LoginThrottleObject } from './auth/login-throttle-object';
export { HdaChannelObject } from './edge/hda-channel-object';
export type { Env } from './workers-settings';

/** The first query on a database nobody migrated fails on a missing table: say what to run. */
function refuseUnmigrated(err: Error): never {
  if (/no such table/i.test(`${err.message} ${(err.cause as Error | undefined)?.message ?? ''}`)) {
    throw new SettingMissing('DB', 'has no tables yet: apply the migrations (npx wrangler d1 migrations apply hda-control-plane --remote)');
  }
  throw err;
}

async function depsFor(env: Env): Promise<Deps> {
  const settings = readSettings(env);
  const db = await openDatabase(env);
  const deps = buildDeps({
    db,
    jwtSecret: settings.jwtSecret,
    signingKey: settings.signingKey,
    previousSigningKey: settings.previousSigningKey,
    loginThrottle: durableThrottle(settings.throttle),
    agentBundle: assetsAgentBundle(env.ASSETS),
    ...(env.HDA_CHANNEL ? { doorbell: durableDoorbell(env.HDA_CHANNEL) } : {}),
    config: {
      pollRecheckMs: Number(env.POLL_RECHECK_MS ?? 2000),
      secureCookies: true,
      clientAddressSource: 'cf-connecting-ip',
      publicUrl: settings.publicUrl,
      ...settings.upkeep,
    },
  });
  await registerSigningKey(db, deps.signer, deps.stamp()).catch(refuseUnmigrated);
  // Idempotent: creates the admin only while there are no users. A generated password is never shown
  // at the edge, so without a user the deployment needs both settings.
  if (env.ADMIN_EMAIL && env.ADMIN_PASSWORD) {
    await seedAdmin(deps, { email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }).catch((err: Error) => {
      throw /^ADMIN_EMAIL/.test(err.message) ? new SettingMissing('ADMIN_EMAIL', 'is not an email address') : err;
    });
  }
  const [anyone] = await db.select({ id: users.id }).from(users).limit(1);
  if (!anyone)
    throw new SettingMissing(
      env.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL',
      'is not set, and no account exists yet (set ADMIN_EMAIL and ADMIN_PASSWORD for the first admin)',
    );
  if (env.SEED_CATALOG === 'true') await seedCatalog(deps);
  return deps;
}

const started = new WeakMap<Env, Promise<Deps>>();

/**
 * One Deps per isolate (its env object); a failed start is retried on the next request, and a
 * missing setting is logged once.
 */
function depsOnce(env: Env): Promise<Deps> {
  let deps = started.get(env);
  if (!deps) {
    deps = depsFor(env).catch((err) => {
      started.delete(env);
      if (err instanceof SettingMissing) reportOnce(err);
      throw err;
    });
    started.set(env, deps);
  }
  return deps;
}

const app = createApp((c) => depsOnce(c.env as Env));

export default {
  fetch: app.fetch,
  async scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    ctx.waitUntil(depsOnce(env).then(runUpkeep));
  },
} satisfies ExportedHandler<Env>;
