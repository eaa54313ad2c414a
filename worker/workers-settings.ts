/**
 * The Workers deployment's settings, checked before anything is built: a missing or unusable one
 * answers every route (health included) with 503 naming the setting, never echoing its value.
 */
import type { JWK } from 'jose';
import type { LoginThrottleObject } from './auth/login-throttle-object';
import type { HdaChannelObject } from './edge/hda-channel-object';
import { ApiError } from './errors';
import { publicUrlProblem } from './services/agent-installer';
import type { Config } from './context';
import { UpkeepSettingInvalid, upkeepSettings, type UpkeepSettingName } from './jobs/upkeep-settings';

export interface Env {
  DB?: D1Database;
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
  JWT_SECRET?: string;
  CATALOG_SIGNING_KEY?: string;
  /** Set for the first start after a rotation: the old key endorses the new one. */
  CATALOG_SIGNING_KEY_PREVIOUS?: string;
  ADMIN_EMAIL?: string;
  ADMIN_PASSWORD?: string;
  /** "true": publish the sample apps on start (idempotent; `npm run dev:worker` sets it). */
  SEED_CATALOG?: string;
  POLL_RECHECK_MS?: string;
  AUDIT_RETENTION_DAYS?: string;
  TASK_RETENTION_DAYS?: string;
  METRICS_RETENTION_DAYS?: string;
  BATCH_START_DEADLINE_HOURS?: string;
  OFFLINE_TASK_GRACE_MINUTES?: string;
  LOGIN_THROTTLE?: DurableObjectNamespace<LoginThrottleObject>;
  /** One channel object per HDA (its agent's WebSocket); without it agents long-poll. */
  HDA_CHANNEL?: DurableObjectNamespace<HdaChannelObject>;
  /** The deployment's static assets (the agent bundle new HDAs download). */
  ASSETS?: Fetcher;
  /** The address HDAs reach the control plane at; else the address a request came to. */
  PUBLIC_URL?: string;
}

export interface Settings {
  jwtSecret: string;
  signingKey: JWK;
  previousSigningKey?: JWK;
  throttle: DurableObjectNamespace<LoginThrottleObject>;
  /** The upkeep periods the deployment sets (README, "Upkeep"). */
  upkeep: Partial<Config>;
  publicUrl?: string;
}

/** A setting the deployment lacks: the 503 every route answers with until it is set. */
export class SettingMissing extends ApiError {
  constructor(
    readonly setting: string,
    reason: string,
  ) {
    super(503, 'setting_missing', `this deployment is not configured: ${setting} ${reason} (see the README, "Cloudflare Workers")`, { setting });
  }
}

function privateJwk(name: string, text: string | undefined): JWK {
  if (!text) throw new SettingMissing(name, 'is not set');
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw new SettingMissing(name, 'is not JSON (make one with `npm run keys`)');
  }
  const key = jwk as JWK;
  if (!key || typeof key !== 'object' || typeof key.kid !== 'string' || typeof key.d !== 'string') {
    throw new SettingMissing(name, 'is not a private JWK with a kid (make one with `npm run keys`)');
  }
  return key;
}

/** Reads and checks the settings the app cannot start without; throws SettingMissing. */
export function readSettings(env: Env): Settings {
  if (!env.JWT_SECRET) throw new SettingMissing('JWT_SECRET', 'is not set');
  if (env.JWT_SECRET.length < 32) throw new SettingMissing('JWT_SECRET', 'is shorter than 32 characters');
  const signingKey = privateJwk('CATALOG_SIGNING_KEY', env.CATALOG_SIGNING_KEY);
  const previousSigningKey = env.CATALOG_SIGNING_KEY_PREVIOUS ? privateJwk('CATALOG_SIGNING_KEY_PREVIOUS', env.CATALOG_SIGNING_KEY_PREVIOUS) : undefined;
  if (!env.DB && !env.LIBSQL_URL) throw new SettingMissing('DB', 'is not bound (a D1 database named DB in wrangler.toml, or LIBSQL_URL and LIBSQL_AUTH_TOKEN)');
  if (!env.LOGIN_THROTTLE) throw new SettingMissing('LOGIN_THROTTLE', 'is not bound (the Durable Object in wrangler.toml)');
  let upkeep: Partial<Config>;
  try {
    upkeep = upkeepSettings((name: UpkeepSettingName) => env[name]);
  } catch (err) {
    if (!(err instanceof UpkeepSettingInvalid)) throw err;
    throw new SettingMissing(err.setting, 'is not a whole number, 1 or more');
  }
  if (env.PUBLIC_URL && publicUrlProblem(env.PUBLIC_URL)) throw new SettingMissing('PUBLIC_URL', 'is not an http(s) address such as https://cp.example.com');
  const publicUrl = env.PUBLIC_URL?.replace(/\/+$/, '') || undefined;
  return { jwtSecret: env.JWT_SECRET, signingKey, previousSigningKey, throttle: env.LOGIN_THROTTLE, upkeep, publicUrl };
}

const reported = new Set<string>();

/** Logs a missing setting once per isolate (by name only: a value may be a secret). */
export function reportOnce(err: SettingMissing): void {
  if (reported.has(err.setting)) return;
  reported.add(err.setting);
  console.error(`hda-control-plane: ${err.message}`);
}
