/**
 * The control plane on Node: an embedded libSQL file (or any libSQL URL), migrated on start, seeded,
 * served by @hono/node-server. Used by `npm start` (worker/node.ts) and by tests.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import { createClient } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import type { JWK } from 'jose';
import { generateSigningKey } from '../core/catalog/signing';
import { migrateLibsql } from '../db/migrate';
import * as schema from '../db/schema';
import { nodeAgentBundle } from './node-agent-bundle';
import { seedAdmin, seedCatalog, type SeededAdmin } from './first-start';
import { createApp } from './app';
import type { LoginThrottle } from './auth/login-throttle';
import type { Config, Deps } from './context';
import type { Database } from './db';
import { ChannelHub } from './channel/hub';
import { serveChannel } from './channel/node-channel';
import { buildDeps } from './deps';
import { noChannelsOpen } from './services/presence';
import { startUpkeepTimer, UPKEEP_EVERY_MS } from './jobs/upkeep-timer';
import type { UpkeepReport } from './jobs/upkeep';
import { registerSigningKey } from './services/signer';

export interface ControlPlaneOptions {
  port?: number;
  host?: string;
  /** libSQL URL: `file:./data/hda.db` (default when dataDir is set), `:memory:`, or a Turso URL. */
  dbUrl?: string;
  dbAuthToken?: string;
  /** Where the database file and generated secrets live; omitted = everything in memory. */
  dataDir?: string;
  adminEmail?: string;
  adminPassword?: string;
  seedCatalog?: boolean;
  config?: Partial<Config>;
  /** A clock for tests that move time (lease expiry, enrollment expiry). */
  now?: () => number;
  /** Sees every SQL statement (tests count the idle poll's queries with it). */
  onQuery?: (sql: string) => void;
  quiet?: boolean;
  /** How often upkeep runs (worker/jobs/upkeep.ts); the Workers deployment runs it on a cron trigger. */
  upkeepEveryMs?: number;
  /** Hears the report of each upkeep pass. */
  onUpkeep?: (report: UpkeepReport) => void;
  /** Replaces the in-memory sign-in throttle (tests give one a small book). */
  loginThrottle?: LoginThrottle;
}

export interface ControlPlane {
  url: string;
  port: number;
  deps: Deps;
  app: ReturnType<typeof createApp>;
  /** Set on the start that created the first admin: what to print once (password only when generated). */
  seededAdmin: SeededAdmin | null;
  /** The HDAs' open channels (WebSockets). */
  channels: ChannelHub;
  close(): Promise<void>;
}

/** A secret from the environment, else from a file in the data dir, else generated (and saved there). */
async function persistentSecret(dataDir: string | undefined, file: string, make: () => Promise<string>): Promise<string> {
  if (!dataDir) return make();
  const path = `${dataDir}/${file}`;
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const value = await make();
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, value, { mode: 0o600 });
    return value;
  }
}

/**
 * How long an idle poll's answer is remembered on the embedded database. Every write that gives an
 * HDA work (a task queued or handed back, a token changed) ends it at once, and a logs task's lease
 * running out ends it then (services/idle-cache.ts), so the lifetime is only a safety net; a fleet of
 * thousands of HDAs needs one long enough that most polls find it.
 */
export const EMBEDDED_IDLE_CACHE_MS = 300_000;

export async function openDatabase(opts: Pick<ControlPlaneOptions, 'dbUrl' | 'dbAuthToken' | 'dataDir' | 'onQuery'>): Promise<Database> {
  const url = opts.dbUrl ?? (opts.dataDir ? `file:${opts.dataDir}/hda.db` : ':memory:');
  if (opts.dataDir) await mkdir(opts.dataDir, { recursive: true });
  const client = createClient({ url, authToken: opts.dbAuthToken });
  // WAL lets the poll reads run beside writes on the embedded file.
  if (url.startsWith('file:')) {
    await client.execute('PRAGMA journal_mode = WAL').catch(() => undefined);
    // In WAL mode NORMAL never corrupts the database; a power cut may lose the last commits, which
    // agents re-send (events and results are idempotent). FULL would stall the server on an fsync per write.
    await client.execute('PRAGMA synchronous = NORMAL').catch(() => undefined);
  }
  await client.execute('PRAGMA foreign_keys = ON');
  const onQuery = opts.onQuery;
  const db = drizzle(client, { schema, ...(onQuery ? { logger: { logQuery: (q: string) => onQuery(q) } } : {}) });
  await migrateLibsql(db);
  return db as unknown as Database;
}

export async function createControlPlane(opts: ControlPlaneOptions = {}) {
  const db = await openDatabase(opts);
  const jwtSecret = process.env.JWT_SECRET ?? (await persistentSecret(opts.dataDir, 'jwt-secret', async () => randomBytes(32).toString('base64url')));
  const keyText =
    process.env.CATALOG_SIGNING_KEY ??
    (await persistentSecret(opts.dataDir, 'catalog-signing-key.json', async () => JSON.stringify((await generateSigningKey('ES256')).privateJwk)));
  const previous = process.env.CATALOG_SIGNING_KEY_PREVIOUS;
  // The embedded database has one writer, this process: idle polls may be answered from memory.
  const embedded = !opts.dbUrl || opts.dbUrl.startsWith('file:') || opts.dbUrl === ':memory:';
  const pollIdleCacheMs = Number(process.env.POLL_IDLE_CACHE_MS ?? (embedded ? EMBEDDED_IDLE_CACHE_MS : 0));
  const config = { pollIdleCacheMs, ...opts.config };
  const channels = new ChannelHub();
  const deps = buildDeps({
    db,
    jwtSecret,
    signingKey: JSON.parse(keyText) as JWK,
    previousSigningKey: previous ? (JSON.parse(previous) as JWK) : undefined,
    config,
    now: opts.now,
    agentBundle: nodeAgentBundle(),
    loginThrottle: opts.loginThrottle,
    doorbell: channels,
  });
  await registerSigningKey(db, deps.signer, deps.stamp());
  if (embedded) await noChannelsOpen(db, deps.now());
  const seededAdmin = await seedAdmin(deps, { email: opts.adminEmail ?? process.env.ADMIN_EMAIL, password: opts.adminPassword ?? process.env.ADMIN_PASSWORD });
  if (opts.seedCatalog) await seedCatalog(deps);
  const app = createApp(() => deps);
  return { deps, app, seededAdmin, channels };
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const { deps, app, seededAdmin, channels } = await createControlPlane(opts);
  const upkeep = startUpkeepTimer(deps, opts.upkeepEveryMs ?? UPKEEP_EVERY_MS, opts.onUpkeep);
  const host = opts.host ?? '127.0.0.1';
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 8787, hostname: host }, () => resolve(s));
  });
  const stopChannels = serveChannel(server as Server, deps, channels);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.port ?? 8787);
  return {
    url: `http://${host}:${port}`,
    port,
    deps,
    app,
    seededAdmin,
    channels,
    close: () =>
      new Promise<void>((resolve) => {
        upkeep.stop();
        stopChannels(); // upgraded sockets are no longer the server's connections
        // Long-polls would hold the server open: drop idle and waiting connections.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
