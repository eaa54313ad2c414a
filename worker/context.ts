/** What every route can reach: the database, secrets, the clock and the long-poll waker. */
import type { Role } from '../db/schema';
import type { ClientAddressSource } from './auth/client-address';
import type { LoginThrottle } from './auth/login-throttle';
import type { Database } from './db';
import type { AgentBundleSource } from './services/agent-installer';
import type { IdleCache } from './services/idle-cache';
import type { CatalogSigner } from './services/signer';
import type { Waker } from './waker';

export interface Config {
  /** Session lifetime in seconds. */
  sessionTtlS: number;
  /** How long a claimed task stays with an agent without news before it is handed out again. */
  leaseS: number;
  /** How long an enrollment code is valid. */
  enrollTtlS: number;
  /** An unchanged heartbeat refreshes last_seen only when it is older than this. */
  heartbeatMinWriteS: number;
  /** An HDA is online while its last heartbeat or poll is younger than this. */
  onlineWindowS: number;
  /** Long-poll re-check interval when a wake-up may come from another isolate (Workers). */
  pollRecheckMs: number;
  /** Lease expiries after which a task is failed instead of handed out again. */
  maxAttempts: number;
  /** Send cookies with `Secure` (when served over HTTPS). */
  secureCookies: boolean;
  /**
   * How long an idle poll's answer is remembered (ms); 0 turns it off. Only safe when this process
   * makes every write (the embedded Node default); off on Workers and with a shared database.
   */
  pollIdleCacheMs: number;
  /** Which address login rate limits key on (a forwarding header only behind a proxy that sets it). */
  clientAddressSource: ClientAddressSource;
  /** The address HDAs reach the control plane at (PUBLIC_URL); else the address a request came to. */
  publicUrl?: string;
  /** Audit rows older than this many days are deleted by upkeep (README: "Upkeep"). */
  auditRetentionDays: number;
  /** Finished tasks (and their events) older than this many days are deleted by upkeep. */
  taskRetentionDays: number;
  /** Hourly metric rows older than this many days are deleted by upkeep (5-minute rows: 48 hours). */
  metricsRetentionDays: number;
  /** A batch item still pending this many hours after it was queued, its HDA offline, fails. */
  batchStartDeadlineHours: number;
  /** A task whose lease ran out this many minutes ago, its HDA offline as long, fails. */
  offlineTaskGraceMinutes: number;
}

export const defaultConfig: Config = {
  sessionTtlS: 12 * 3600,
  leaseS: 300,
  enrollTtlS: 24 * 3600,
  heartbeatMinWriteS: 60,
  onlineWindowS: 120,
  pollRecheckMs: 0,
  maxAttempts: 5,
  secureCookies: false,
  clientAddressSource: 'socket',
  pollIdleCacheMs: 0,
  auditRetentionDays: 180,
  taskRetentionDays: 90,
  metricsRetentionDays: 30,
  batchStartDeadlineHours: 24,
  offlineTaskGraceMinutes: 30,
};

/**
 * What the fleet (batches) does when the queue reports: injected into Deps so the queue, which every
 * service uses, never imports the fleet that itself queues work.
 */
export interface QueueListeners {
  /** A task that belongs to a batch has ended (reported by its agent, cancelled, or failed by the server). */
  taskFinished(deps: Deps, batchId: string, taskId: string): Promise<void>;
  /** An HDA that was offline is back. */
  hdaOnline(deps: Deps, hdaId: string): Promise<void>;
}

/** Rings an HDA's channel (its agent then claims over the protocol); Workers: its Durable Object. */
export interface Doorbell {
  ring(hdaId: string): Promise<void>;
  /** Closes the HDA's channel (its token was revoked or replaced). */
  hangUp(hdaId: string): Promise<void>;
  /**
   * Opens the channel of an authenticated agent: the WebSocket handshake's answer (Workers; the Node
   * server upgrades sockets itself, before the app sees the request).
   */
  connect?(hdaId: string, request: Request): Promise<Response>;
}

export interface Deps {
  db: Database;
  jwtSecret: Uint8Array;
  signer: CatalogSigner;
  waker: Waker;
  /** The HDAs' channels; the queue rings it whenever it gives an HDA work. */
  doorbell: Doorbell;
  listeners: QueueListeners;
  /** Wall-clock milliseconds, never going back. */
  now: () => number;
  /** Like now(), but strictly increasing: the created-at of records listed in creation order. */
  stamp: () => number;
  config: Config;
  /** Set when config.pollIdleCacheMs > 0. */
  idleHdas?: IdleCache;
  /** The agent this control plane hands to new HDAs (the Node entry serves the built bundle). */
  agentBundle?: AgentBundleSource;
  /** Counts failed sign-ins (in memory on Node, a Durable Object on Workers). */
  loginThrottle: LoginThrottle;
}

/** The account an action is done for: what ownership checks, created-by and the audit log read. */
export interface Account {
  id: string;
  email: string;
  role: Role;
}

/** A person acting through the API or the UI. */
export interface UserActor extends Account {
  kind: 'user';
  /** The client address of the request. */
  address?: string;
}

/** The control plane's own jobs, each acting for the account that started it (or owns what it sets up). */
export const SYSTEM_JOBS = ['fleet-batch', 'first-start-seed', 'local-agent-enrollment'] as const;

/** A job of the system acting for an account (a fleet batch for its owner, first-start seeding for the admin). */
export interface JobActor extends Account {
  kind: 'system';
  job: (typeof SYSTEM_JOBS)[number];
  address?: undefined;
}

/** Who acts on the services: a user, or a system job; the agent acts through its own routes (AgentIdentity). */
export type Actor = UserActor | JobActor;

export const jobActor = (job: JobActor['job'], account: Account): JobActor => ({
  kind: 'system',
  job,
  id: account.id,
  email: account.email,
  role: account.role,
});

/** A user signed in with a session token (logout revokes its jti until exp). */
export interface SessionUser extends UserActor {
  jti: string;
  exp: number;
}

/** An HDA's agent, authenticated by its token. */
export interface AgentIdentity {
  hdaId: string;
  lastSeenAt: number | null;
  /** Its channel is open: the socket says it is there, so nothing needs to refresh last_seen. */
  channelOpen: boolean;
  stateHash: string | null;
}

export type AppEnv = {
  Variables: {
    deps: Deps;
    user: SessionUser | null;
    agent: AgentIdentity;
  };
};
