/**
 * Agent protocol v1: the JSON the control plane (worker/) and the HDA agent (agent/) exchange.
 * Both sides import these types; neither copies them.
 *
 *   POST /agent/v1/enroll              EnrollRequest      -> EnrollResponse
 *   GET  /agent/v1/tasks?wait=S                            -> 200 { tasks: ClaimedTask[] } | 204
 *   POST /agent/v1/tasks/:id/events    TaskEventInput[]   -> { accepted, duplicates, last_seq }
 *   POST /agent/v1/tasks/:id/result    TaskResultInput    -> { ok: true }
 *   POST /agent/v1/heartbeat           HeartbeatInput     -> { ok: true, next_heartbeat_s }
 */

export const PROTOCOL_VERSION = 1;

/** What a task asks the agent to do to one install. */
export const TASK_KINDS = [
  'install',
  'update',
  'rollback',
  'uninstall',
  'start',
  'stop',
  'restart',
  'logs',
  'prune',
  /** Apply new limits or a new host port to what runs: no pull, no blue/green switch. */
  'reconfigure',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const TASK_STATES = ['queued', 'claimed', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const FINAL_TASK_STATES: readonly TaskState[] = ['succeeded', 'failed', 'cancelled'];

/**
 * Progress statuses follow the Lighthouse stream: `Starting` opens a step, `OK | Warning | Error`
 * report inside it, `Progress` carries byte counts (image pulls), `Complete` closes the step and
 * `Finalized` ends the task.
 */
export const EVENT_STATUSES = ['Starting', 'OK', 'Warning', 'Error', 'Progress', 'Complete', 'Finalized'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** The named steps of the agent's executor, in the order an install runs them. */
export const STEP_NAMES = [
  'verify',
  'ports',
  'render',
  'policy',
  'prepare',
  'pull',
  'mounts',
  'up',
  'health',
  'vhost',
  'reload',
  'probe',
  'down',
  'cleanup',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export interface TaskEventInput {
  /** Per-task sequence number chosen by the agent, starting at 1; (task, seq) is the idempotency key. */
  seq: number;
  status: EventStatus;
  message: string;
  step?: string;
  /** Free-form details, e.g. `{ layer, current, total }` for a `Progress` event. */
  data?: Record<string, unknown>;
}

export interface TaskEvent extends TaskEventInput {
  task_id: string;
  at: string;
}

export interface TaskEventsAck {
  accepted: number;
  duplicates: number;
  /** The highest seq the server holds for this task: the agent may forget every event up to it. */
  last_seq: number;
}

export interface TaskResultInput {
  state: 'succeeded' | 'failed';
  /** One line a person can read: what happened, or the step and the reason it failed. */
  detail: string;
  /** The step that failed, when state is failed. */
  step?: string;
  /** What the agent actually ran, recorded on the deployment (rendered compose, image digests). */
  rendered_compose?: string;
  images?: Record<string, string>;
  /** Installed app state after the task (running, stopped, removed). */
  app_state?: AppRunState;
  /** The host port the app was given (install: moved off a taken one; reconfigure: the new one). */
  host_port?: number;
}

/** A JWS (compact serialization) over the canonical JSON of an AppVersionContent. */
export type VersionSignature = string;

/** The immutable, signed content of one app version: what an agent installs. */
export interface AppVersionContent {
  app: string;
  version: string;
  kind: string;
  /** Normalized Compose Specification YAML, placeholders (HOST_PORT, ...) still in place. */
  compose: string;
  /** Other files the install script writes beside the compose file (e.g. a Dockerfile), by relative path. */
  files: Record<string, string>;
  /** Supported non-compose steps taken out of the install script, run by the agent in order. */
  steps: ScriptStep[];
  /** Steps of the uninstall script, when the catalog gives one. */
  uninstall_steps?: ScriptStep[];
  /** Per-install secrets the compose and files use (NAME for APP_SECRET_NAME); generated on the HDA, never sent back. */
  secrets?: string[];
}

/** A step of a legacy install script that is not the compose file itself. */
export interface ScriptStep {
  /** e.g. write-file, download, chmod, compose-up, mysql-import, unsupported. */
  kind: string;
  /** 1-based line number in the original script, and the line's text, so findings quote it exactly. */
  line: number;
  text: string;
  args?: Record<string, unknown>;
}

/** Values the agent substitutes into the compose (as values, never as text pasted into YAML). */
export interface InstallVars {
  HOST_PORT: number;
  APP_IDENTIFIER: string;
  APP_HOSTNAME: string;
  HDA_DOMAIN: string;
  /** The app folder; the agent fills it from its apps root (default /var/hda/web-apps/<identifier>). */
  WEBAPP_PATH?: string;
}

export interface TaskInstallInfo {
  id: string;
  identifier: string;
  hostname: string;
  host_port: number;
  domain: string;
  /** Policy rules the owner explicitly allowed for this install (e.g. "docker-socket"). */
  policy_exceptions: string[];
  /** Owner-set resource limits the agent writes into every service of the compose it runs. */
  limits?: ResourceLimits;
  /** Environment values added to every service (e.g. per-HDA overrides of a fleet deployment). */
  env?: Record<string, string>;
  /** The owner chose host_port: the agent never moves it, it fails when the port is taken. */
  port_fixed?: boolean;
}

/** The host ports the control plane gives an HDA's installs automatically. */
export const HOST_PORT_RANGE = { from: 35001, to: 65535 } as const;
/** Ports an owner may choose for an install. */
export const OWNER_PORT_RANGE = { from: 1024, to: 65535 } as const;

/** What the agent needs to move an automatically given port off a taken one. */
export interface PortHints {
  /** Ports other installs of this HDA hold on the control plane: never chosen. */
  held: number[];
  from: number;
  to: number;
}

export interface ResourceLimits {
  /** CPU cores, e.g. 0.5. */
  cpus?: number;
  memory_mb?: number;
}

/** What a claimed task carries: everything the agent needs, no second round trip. */
export interface TaskPayload {
  /** The install the task acts on. HDA-wide tasks (prune) carry none: check `kind` before reading it. */
  install: TaskInstallInfo;
  /** The version to converge to (absent for start/stop/restart, which act on what runs). */
  version?: AppVersionContent;
  signature?: VersionSignature | null;
  /** Id of the key (kid) that signed `version`. */
  key_id?: string | null;
  /** uninstall: also delete the app folder. */
  purge?: boolean;
  /** logs: how many lines of each container to send, and for how long to follow new ones. */
  logs?: { tail: number; follow_s?: number };
  /** prune: images to keep even when no container uses them (what a rollback would need). */
  prune?: { keep_images: string[] };
  /** install/reconfigure: the range a taken automatic port may move within, and the ports to avoid. */
  ports?: PortHints;
  /** reconfigure: what changes (recorded as the deployment's action). */
  reconfigure?: { change: 'limits' | 'port' };
  /** update: the deployment to return to automatically if the new one does not come up. */
  previous?: { deployment_id: string; version: AppVersionContent; signature?: VersionSignature | null; key_id?: string | null };
}

export interface ClaimedTask {
  id: string;
  kind: TaskKind;
  hda_id: string;
  install_id: string | null;
  deployment_id: string | null;
  attempts: number;
  /** ISO time after which the server may hand the task to a poll again. */
  lease_until: string;
  payload: TaskPayload;
}

export interface TasksResponse {
  tasks: ClaimedTask[];
}

export interface HostFacts {
  hostname?: string;
  os?: string;
  arch?: string;
  cpu_model?: string;
  cpus?: number;
  memory_bytes?: number;
  disk_free_bytes?: number;
  docker_version?: string | null;
  docker_api_version?: string | null;
  compose_version?: string | null;
  /** Which compose the agent drives: the v2 plugin (`docker compose`) or v1 (`docker-compose`). */
  compose_flavor?: 'v2' | 'v1' | null;
  apache_version?: string | null;
  agent_version?: string;
}

export type AppRunState = 'running' | 'stopped' | 'restarting' | 'exited' | 'missing' | 'removed' | 'unknown';

export interface AppStatus {
  identifier: string;
  state: AppRunState;
  health?: string | null;
  cpu_percent?: number | null;
  memory_bytes?: number | null;
  /** The host port Apache proxies to now: the install's host_port, or the second slot's after a blue/green switch. */
  live_port?: number;
}

/** The health of the apps' names and certificates on this HDA, with what the owner needs to trust and point at it. */
export interface LanHealth {
  names: {
    mode: 'dnsmasq' | 'off';
    /** The address app names point to: what the router hands out as DNS server. */
    address?: string;
    /** Set when the HDA's dnsmasq is not running (names do not resolve on the LAN). */
    problem?: string;
  };
  /** Null when HTTPS is off on this HDA. */
  https: {
    port: number;
    /** The CA certificate (public part only) the owner installs on their devices. */
    ca_pem?: string;
    ca_fingerprint?: string;
    ca_valid_to?: string;
    problem?: string;
  } | null;
  apps: LanAppHealth[];
}

export interface LanAppHealth {
  identifier: string;
  name: string;
  /** Whether the name resolves to this HDA at its dnsmasq; absent when names are off. */
  resolves?: boolean;
  name_problem?: string;
  cert_not_after?: string | null;
  /** No certificate, one close to expiry, or a failed renewal, in words. */
  cert_problem?: string;
}

export interface HeartbeatInput {
  facts?: HostFacts;
  apps?: AppStatus[];
  /** Names and certificates: sent with every heartbeat, stored when it changed. */
  lan?: LanHealth;
  /** Downsampled per-app usage (one sample per app per 5 minutes), sent when a window closes. */
  metrics?: AppMetricSample[];
}

export interface AppMetricSample {
  identifier: string;
  /** Start of the 5-minute window (ISO). */
  at: string;
  cpu_avg: number;
  cpu_max: number;
  memory_avg: number;
  memory_max: number;
  samples: number;
}

/** `data` of a `prune` task's event that reports removed images: bytes freed (a Finalized event's value is the total). */
export interface PruneReport {
  bytes_freed: number;
  removed?: string[];
}

/** Sent as `data` of the `logs` task's events: one batch of lines of one container stream. */
export interface LogChunk {
  container: string;
  stream: 'stdout' | 'stderr';
  lines: string[];
}

export interface HeartbeatResponse {
  ok: true;
  /** Seconds until the server wants the next unchanged heartbeat. */
  next_heartbeat_s: number;
}

export interface EnrollRequest {
  code: string;
  hostname: string;
  facts?: HostFacts;
}

export interface EnrollResponse {
  hda_id: string;
  token: string;
  domain: string;
  name: string;
  /** The catalog publishers' public keys (JWKS) the agent pins for verifying app versions. */
  keys: { keys: Array<Record<string, unknown>> };
}

/** Error body of every 4xx/5xx from the API and the agent protocol. */
export interface ApiError {
  error: string;
  message: string;
  details?: unknown;
}

/** The 5-minute window the agent averages app metrics over. */
export const METRICS_WINDOW_S = 300;
/** Most metric windows one heartbeat may carry; the agent sends older ones on the next beats. */
export const METRICS_PER_HEARTBEAT_MAX = 1000;

/** Longest long-poll a client may ask for, in seconds. */
export const MAX_POLL_WAIT_S = 30;
/** How long a claimed task stays with an agent before the server may hand it out again. */
export const DEFAULT_LEASE_S = 300;
