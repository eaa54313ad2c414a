/**
 * The control plane's data, as drizzle sqlite-core tables. The same schema runs on an embedded libSQL
 * file, on Turso and on D1; drizzle-kit turns it into the SQL migrations in db/migrations.
 *
 * Times are integer milliseconds since the epoch; JSON documents are stored as text, read and written
 * by drizzle as the core types they hold (json mode), so no row needs a parse or a cast.
 */
import { sql } from 'drizzle-orm';
import { type AnySQLiteColumn, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { Finding } from '../core/catalog/types';
import { BATCH_ITEM_STATES, BATCH_STATES } from '../core/fleet/states';
import { EVENT_STATUSES, SNAPSHOT_REASONS, TASK_KINDS, TASK_STATES } from '../core/protocol/kinds';
import type { InstallBackup } from '../core/backup/install-backup';
import type { StoredBackupPlan } from '../core/backup/plan';
import type { TaskProgress } from '../core/protocol/events';
import type { PublicJwk } from '../core/backup/seal';
import type { LanSettings } from '../core/protocol/lan-settings';
import type {
  AppStatus,
  AppVersionContent,
  BackupHealth,
  HdaWideKind,
  HostFacts,
  InstallOverrides,
  LanHealth,
  PayloadOf,
  ResourceLimits,
  TaskKind,
  TaskPayload,
} from '../core/protocol';

export const ROLES = ['admin', 'publisher', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>` (WebCrypto, so it runs on Workers too). */
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ROLES }).notNull(),
  createdAt: integer('created_at').notNull(),
  disabledAt: integer('disabled_at'),
  /** Sessions issued before this second are over (a password change or reset ends them). */
  sessionsValidFrom: integer('sessions_valid_from'),
});

/** Sessions ended before their JWT expires (logout); rows past `expires_at` can be deleted. */
export const revokedSessions = sqliteTable(
  'revoked_sessions',
  {
    jti: text('jti').primaryKey(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('revoked_sessions_expiry').on(t.expiresAt)],
);

/** The catalog's categories (an allow-list: a publisher picks one of these or none). */
export const APP_CATEGORIES = [
  'media',
  'downloads',
  'files',
  'productivity',
  'development',
  'home-automation',
  'network',
  'security',
  'communication',
  'utilities',
] as const;
export type AppCategory = (typeof APP_CATEGORIES)[number];

export const apps = sqliteTable('apps', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  homepage: text('homepage'),
  category: text('category', { enum: APP_CATEGORIES }),
  /** A small image as a data: URL (PNG, WebP or SVG), shown from this origin: no third-party request. */
  iconUrl: text('icon_url'),
  publisherId: text('publisher_id')
    .notNull()
    .references(() => users.id),
  createdAt: integer('created_at').notNull(),
});

export const VERSION_STATUSES = ['ready', 'needs_review'] as const;

/** Immutable once published: edits are new versions. */
export const appVersions = sqliteTable(
  'app_versions',
  {
    id: text('id').primaryKey(),
    appId: integer('app_id')
      .notNull()
      .references(() => apps.id),
    version: text('version').notNull(),
    kind: text('kind').notNull(),
    installScript: text('install_script'),
    uninstallScript: text('uninstall_script'),
    /** The compose as published (or as written by the script), before normalization. */
    composeOriginal: text('compose_original'),
    /** The AppVersionContent (normalized compose, files, steps) that is signed and installed. */
    contentJson: text('content_json', { mode: 'json' }).$type<AppVersionContent>().notNull(),
    status: text('status', { enum: VERSION_STATUSES }).notNull(),
    findingsJson: text('findings_json', { mode: 'json' }).$type<Finding[]>().notNull().default([]),
    signature: text('signature').notNull(),
    keyId: text('key_id').notNull(),
    publishedBy: text('published_by')
      .notNull()
      .references(() => users.id),
    createdAt: integer('created_at').notNull(),
    /** What changed, in the publisher's words (shown with "update available"; not part of the signed content). */
    releaseNotes: text('release_notes'),
  },
  (t) => [uniqueIndex('app_versions_app_version').on(t.appId, t.version)],
);

/** Public halves of every catalog signing key ever used, so rotation keeps old versions installable. */
export const signingKeys = sqliteTable('signing_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull(),
  publicJwk: text('public_jwk').notNull(),
  /** A JWS by the previous key over this public key: agents pinned to the old key learn the new one. */
  endorsement: text('endorsement'),
  createdAt: integer('created_at').notNull(),
  retiredAt: integer('retired_at'),
});

export const hdas = sqliteTable(
  'hdas',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    domain: text('domain').notNull(),
    tagsJson: text('tags_json', { mode: 'json' }).$type<string[]>().notNull().default([]),
    /** SHA-256 of the agent token (hex); null until enrolled and after revocation. */
    tokenHash: text('token_hash'),
    enrollCodeHash: text('enroll_code_hash'),
    enrollExpiresAt: integer('enroll_expires_at'),
    enrolledAt: integer('enrolled_at'),
    revokedAt: integer('revoked_at'),
    hostname: text('hostname'),
    lastSeenAt: integer('last_seen_at'),
    /** Its agent holds the HDA's channel (a WebSocket) open: online without writing last_seen. */
    channelOpen: integer('channel_open', { mode: 'boolean' }).notNull().default(false),
    factsJson: text('facts_json', { mode: 'json' }).$type<HostFacts>(),
    /** Latest per-app runtime state from the agent's heartbeat (one row per HDA, not per beat). */
    appsJson: text('apps_json', { mode: 'json' }).$type<AppStatus[]>(),
    /** Latest health of the apps' names and certificates (and the HDA's CA certificate) from the heartbeat. */
    lanJson: text('lan_json', { mode: 'json' }).$type<LanHealth>(),
    /** Hash of the last stored facts+apps, so an unchanged heartbeat writes nothing but last_seen. */
    stateHash: text('state_hash'),
    /** Next per-HDA port number: host port = 35000 + n, never reused while an install holds it. */
    nextPortSeq: integer('next_port_seq').notNull().default(1),
    /** The public JWK the agent's backup secrets are sealed to (from its heartbeat). */
    backupKeyJson: text('backup_key_json', { mode: 'json' }).$type<PublicJwk>(),
    /** The owner's off-HDA backup plan: schedule, retention, label, and the secrets as a sealed box only. */
    backupPlanJson: text('backup_plan_json', { mode: 'json' }).$type<StoredBackupPlan>(),
    /** The off-HDA backup's health as the agent last reported it. */
    backupHealthJson: text('backup_health_json', { mode: 'json' }).$type<BackupHealth>(),
    /** The owner's LAN settings (names, HTTPS redirect, certificates); null: the agent's own flags decide. */
    lanSettingsJson: text('lan_settings_json', { mode: 'json' }).$type<LanSettings>(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('hdas_owner').on(t.ownerId), uniqueIndex('hdas_enroll_code').on(t.enrollCodeHash)],
);

export const INSTALL_STATES = ['installing', 'running', 'stopped', 'updating', 'failed', 'uninstalling', 'removed'] as const;
export type InstallState = (typeof INSTALL_STATES)[number];

export const installs = sqliteTable(
  'installs',
  {
    id: text('id').primaryKey(),
    hdaId: text('hda_id')
      .notNull()
      .references(() => hdas.id),
    appId: integer('app_id')
      .notNull()
      .references(() => apps.id),
    identifier: text('identifier').notNull(),
    hostname: text('hostname').notNull(),
    hostPort: integer('host_port').notNull(),
    desiredState: text('desired_state', { enum: ['running', 'stopped', 'removed'] }).notNull(),
    state: text('state', { enum: INSTALL_STATES }).notNull(),
    versionId: text('version_id')
      .notNull()
      .references(() => appVersions.id),
    currentDeploymentId: text('current_deployment_id').references((): AnySQLiteColumn => deployments.id),
    policyExceptionsJson: text('policy_exceptions_json', { mode: 'json' }).$type<string[]>().notNull().default([]),
    /** Owner-set resource limits the agent writes into the compose it runs. */
    limitsJson: text('limits_json', { mode: 'json' }).$type<ResourceLimits>().notNull().default({}),
    /** Per-install values (e.g. a fleet deployment's per-HDA overrides, the owner's fixed port). */
    overridesJson: text('overrides_json', { mode: 'json' }).$type<InstallOverrides>().notNull().default({}),
    /** The owner holds the install at its version: no update, by hand or by a fleet deployment, until released. */
    updateHeld: integer('update_held', { mode: 'boolean' }).notNull().default(false),
    /** One version the owner chose to skip: never offered nor applied by a fleet deployment. */
    skipVersionId: text('skip_version_id').references(() => appVersions.id),
    /** The install's place in the HDA's off-HDA backup; null follows the HDA's plan. */
    backupJson: text('backup_json', { mode: 'json' }).$type<InstallBackup>(),
    /** The acting user or system job; not a reference: it names an actor, and outlives the account. */
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    // Only live installs hold an identifier and a port; a removed install frees both.
    uniqueIndex('installs_hda_identifier').on(t.hdaId, t.identifier).where(sql`state <> 'removed'`),
    uniqueIndex('installs_hda_port').on(t.hdaId, t.hostPort).where(sql`state <> 'removed'`),
  ],
);

/**
 * What a deployment records: the task kind that made it, except that a reconfigure records what it
 * changed (`limits` or `port`: the same version, new settings, no pull); logs, snapshots, restores and
 * the HDA-wide kinds (prune, backups) deploy nothing.
 */
export const DEPLOYMENT_ACTIONS = ['install', 'update', 'rollback', 'uninstall', 'start', 'stop', 'restart', 'limits', 'port'] as const satisfies readonly (
  | Exclude<TaskKind, NonDeployingKind>
  | PayloadOf<'reconfigure'>['reconfigure']['change']
)[];
type NonDeployingKind = 'reconfigure' | 'logs' | 'snapshot' | 'restore' | HdaWideKind;
export const DEPLOYMENT_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export const deployments = sqliteTable(
  'deployments',
  {
    id: text('id').primaryKey(),
    installId: text('install_id')
      .notNull()
      .references(() => installs.id),
    versionId: text('version_id')
      .notNull()
      .references(() => appVersions.id),
    action: text('action', { enum: DEPLOYMENT_ACTIONS }).notNull(),
    status: text('status', { enum: DEPLOYMENT_STATUSES }).notNull(),
    /** What the agent actually ran, and the image digests, so a rollback restores the same bytes. */
    renderedCompose: text('rendered_compose'),
    imagesJson: text('images_json', { mode: 'json' }).$type<Record<string, string>>(),
    /** For a rollback: the deployment it returns to. */
    rollbackOf: text('rollback_of').references((): AnySQLiteColumn => deployments.id),
    detail: text('detail'),
    /** The acting user or system job; not a reference: it names an actor, and outlives the account. */
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('deployments_install').on(t.installId, t.createdAt)],
);

export const tasks = sqliteTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    hdaId: text('hda_id')
      .notNull()
      .references(() => hdas.id),
    installId: text('install_id').references(() => installs.id),
    deploymentId: text('deployment_id').references(() => deployments.id),
    kind: text('kind', { enum: TASK_KINDS }).notNull(),
    /** `main` tasks of an HDA run one at a time; `aux` tasks (logs) run beside them and block nothing. */
    lane: text('lane', { enum: ['main', 'aux'] })
      .notNull()
      .default('main'),
    /** Set for tasks a fleet batch queued. */
    batchId: text('batch_id').references(() => batches.id),
    payloadJson: text('payload_json', { mode: 'json' }).$type<TaskPayload>().notNull(),
    state: text('state', { enum: TASK_STATES }).notNull(),
    leaseUntil: integer('lease_until'),
    attempts: integer('attempts').notNull().default(0),
    detail: text('detail'),
    failedStep: text('failed_step'),
    createdAt: integer('created_at').notNull(),
    claimedAt: integer('claimed_at'),
    finishedAt: integer('finished_at'),
  },
  // The poll reads the oldest open task of one HDA per lane: (hda_id, lane, state, created_at) serves it.
  (t) => [
    index('tasks_hda_lane_state').on(t.hdaId, t.lane, t.state, t.createdAt),
    index('tasks_install').on(t.installId),
    index('tasks_deployment').on(t.deploymentId),
    // Upkeep reads claimed tasks (few at any time) and finished ones past retention through this, not
    // every task. No (state, lease_until): the planner would take it for the idle poll's lease lookup.
    index('tasks_state_finished').on(t.state, t.finishedAt),
  ],
);

export const taskEvents = sqliteTable(
  'task_events',
  {
    taskId: text('task_id')
      .notNull()
      .references(() => tasks.id),
    seq: integer('seq').notNull(),
    status: text('status', { enum: EVENT_STATUSES }).notNull(),
    step: text('step'),
    message: text('message').notNull(),
    dataJson: text('data_json', { mode: 'json' }).$type<Record<string, unknown>>(),
    progressJson: text('progress_json', { mode: 'json' }).$type<TaskProgress>(),
    at: integer('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.seq] })],
);

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    // Actor and target are not references: an actor is a user or an HDA, and the log outlives both.
    actorId: text('actor_id'),
    actorKind: text('actor_kind', { enum: ['user', 'agent', 'system'] }).notNull(),
    action: text('action').notNull(),
    targetKind: text('target_kind'),
    targetId: text('target_id'),
    detailJson: text('detail_json', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** The client address the action came from (null for the system's own actions). */
    address: text('address'),
    at: integer('at').notNull(),
  },
  // Readers filter by target, actor or action and page newest first by id; pruning deletes by time.
  (t) => [
    index('audit_target').on(t.targetKind, t.targetId),
    index('audit_actor').on(t.actorId),
    index('audit_action').on(t.action),
    index('audit_at').on(t.at),
  ],
);

/**
 * Per-app CPU and memory, downsampled by the agent into 5-minute samples and rolled up here into
 * hourly rows; both resolutions have a retention limit, so the table does not grow without end.
 */
export const appMetrics = sqliteTable(
  'app_metrics',
  {
    hdaId: text('hda_id')
      .notNull()
      .references(() => hdas.id),
    identifier: text('identifier').notNull(),
    resolution: text('resolution', { enum: ['5m', '1h'] }).notNull(),
    bucketStart: integer('bucket_start').notNull(),
    cpuAvg: real('cpu_avg').notNull(),
    cpuMax: real('cpu_max').notNull(),
    memAvg: real('mem_avg').notNull(),
    memMax: real('mem_max').notNull(),
    samples: integer('samples').notNull(),
  },
  // The second index lets upkeep prune by age without reading every row.
  (t) => [primaryKey({ columns: [t.hdaId, t.identifier, t.resolution, t.bucketStart] }), index('app_metrics_age').on(t.resolution, t.bucketStart)],
);

/** A fleet deployment: one app version installed or updated on many HDAs with bounded concurrency. */
export const batches = sqliteTable('batches', {
  id: text('id').primaryKey(),
  ownerId: text('owner_id')
    .notNull()
    .references(() => users.id),
  appId: integer('app_id')
    .notNull()
    .references(() => apps.id),
  versionId: text('version_id')
    .notNull()
    .references(() => appVersions.id),
  policyExceptionsJson: text('policy_exceptions_json', { mode: 'json' }).$type<string[]>().notNull().default([]),
  concurrency: integer('concurrency').notNull(),
  allOrNothing: integer('all_or_nothing', { mode: 'boolean' }).notNull().default(false),
  state: text('state', { enum: BATCH_STATES }).notNull(),
  createdAt: integer('created_at').notNull(),
  finishedAt: integer('finished_at'),
});

export const batchItems = sqliteTable(
  'batch_items',
  {
    batchId: text('batch_id')
      .notNull()
      .references(() => batches.id),
    hdaId: text('hda_id')
      .notNull()
      .references(() => hdas.id),
    state: text('state', { enum: BATCH_ITEM_STATES }).notNull(),
    action: text('action', { enum: ['install', 'update'] }),
    installId: text('install_id').references(() => installs.id),
    /** Not a reference: the item keeps its task's id after upkeep prunes the finished task. */
    taskId: text('task_id'),
    /** Overrides for this HDA only (env). */
    overridesJson: text('overrides_json', { mode: 'json' }).$type<InstallOverrides>().notNull().default({}),
    detail: text('detail'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.hdaId] }), index('batch_items_hda_state').on(t.hdaId, t.state)],
);

/** Snapshots of an install's data as its agent reported them (the data stays on the HDA, in restic). */
export const snapshots = sqliteTable(
  'snapshots',
  {
    installId: text('install_id')
      .notNull()
      .references(() => installs.id),
    /** restic's snapshot id (64 hex). */
    snapshotId: text('snapshot_id').notNull(),
    /** The task that took it, and that task's deployment (an update's: the snapshot holds the data as of before it). */
    /** Not a reference: the snapshot outlives its task, which upkeep prunes when finished. */
    taskId: text('task_id').notNull(),
    deploymentId: text('deployment_id').references(() => deployments.id),
    reason: text('reason', { enum: SNAPSHOT_REASONS }).notNull(),
    takenAt: integer('taken_at').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    addedBytes: integer('added_bytes').notNull(),
    downtimeMs: integer('downtime_ms').notNull(),
    files: integer('files').notNull(),
    volumesJson: text('volumes_json', { mode: 'json' }).$type<string[]>().notNull().default([]),
  },
  (t) => [
    primaryKey({ columns: [t.installId, t.snapshotId] }),
    index('snapshots_install_taken').on(t.installId, t.takenAt),
    index('snapshots_deployment').on(t.deploymentId),
  ],
);
