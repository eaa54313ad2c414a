/**
 * What the executor's steps share: the task, the agent's parts (Docker, Compose, Apache, the local
 * install records), a reporter scoped to the step, and the work the steps hand on to each other.
 */
import type { TlsParts } from '../tls/index';
import type { LanNames } from '../names/dnsmasq';
import type {
  AppRunState,
  AppTaskKind,
  AppVersionContent,
  InstallVars,
  ScriptStep,
  SnapshotReason,
  SnapshotReport,
  StepName,
  TaskKind,
  TaskOf,
} from '../../core/protocol';
import type { Finding } from '../../core/catalog/types';
import type { PolicyOptions } from '../../core/catalog/policy';
import type { AgentConfig } from '../config';
import type { DockerProvider } from '../docker/client';
import type { ComposeRunner } from '../docker/compose';
import type { ApacheControl } from '../apache/apache';
import type { VhostInput } from '../apache/vhost';
import type { ProbeResult } from '../apache/probe';
import type { ImagePin, InstallRegistry } from '../installs';
import type { Slot } from '../slots';
import type { Logger } from '../log';
import type { Jwks } from '../state';
import type { ScriptStepOptions } from '../steps/script-steps';
import type { Quiesced } from '../backup/quiesce';

/** A failure with a reason a person can act on; the executor reports it as the step's Error. */
export class StepFailure extends Error {
  constructor(
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}

/** The agent was told to stop between two steps: the task stays in hand (journal) for the next run. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted by shutdown');
    this.name = 'Interrupted';
  }
}

export interface ExecutorDeps {
  config: AgentConfig;
  log: Logger;
  docker: DockerProvider;
  compose: ComposeRunner;
  apache: ApacheControl;
  installs: InstallRegistry;
  /** The HDA's CA and app certificates; absent when HTTPS is off. */
  tls?: TlsParts | null;
  /** The apps' names in the HDA's dnsmasq; absent when names are off. */
  names?: LanNames | null;
  pinnedKeys: () => Jwks;
  /** Pins catalog keys endorsed by a pinned one (key rotation); returns the kids added. */
  refreshKeys?: () => Promise<string[]>;
  /** Seams for tests and for the catalog code: the real implementations are the defaults. */
  verifyVersion?: (content: AppVersionContent, jws: string, jwks: Jwks) => Promise<{ kid: string }>;
  checkPolicy?: (compose: string, opts: PolicyOptions) => Finding[];
  renderVhost?: (v: VhostInput) => string;
  runScriptSteps?: (steps: ScriptStep[], appDir: string, opts: ScriptStepOptions) => Promise<void>;
  probe?: (apacheUrl: string, host: string, serverName: string, timeoutMs?: number, ca?: string, pin?: string) => Promise<ProbeResult>;
  /** Called after a task changed an app, so a heartbeat goes out at once. */
  onAppChanged?: () => void;
  /** Called after the owner's LAN settings were applied (config, tls and names replaced in these deps). */
  onLanChanged?: () => void;
  /** How often pull progress may be reported, in ms (default 1000). */
  progressThrottleMs?: number;
  /** Where amahi-download fetches from. */
  downloadBaseUrl?: string;
  /** Ports something listens on now (default: the kernel's tables, host-ports.ts). */
  listeningPorts?: () => Promise<Set<number>>;
}

export interface StepReport {
  ok(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  progress(message: string, data: Record<string, unknown>): void;
}

/** A blue/green update in progress: the slot that served when it began (stopped once the new one serves). */
export interface SwitchFrom {
  slot: Slot;
  project: string;
  port: number;
  /** The compose file the old slot runs from (docker-compose.yml) while the new one has its own. */
  composeFile: string;
}

/** The compose file and ports an app ran with before a reconfigure changed them. */
export interface RunningSettings {
  compose: string;
  /** The port Apache proxied to (the live slot's). */
  hostPort: number;
  /** The install's own port (slot a's). */
  installPort: number;
}

/** What steps hand on to each other within one task. */
export interface TaskWork {
  identifier: string;
  appDir: string;
  /** The compose file this run writes and runs (the next slot's own file during a blue/green switch). */
  composeFile: string;
  /** The compose project and host port this run acts on (the live slot, or the next one when switching). */
  project: string;
  hostPort: number;
  slot: Slot;
  /** The install's own host port (slot a's): the payload's, or the free one the ports step moved it to. */
  installPort?: number;
  /** reconfigure: what ran before, put back when the new settings fail. */
  before?: RunningSettings;
  /** Set when this run is a blue/green switch. */
  switchFrom?: SwitchFrom;
  /** The version this run converges to (install/update/rollback). */
  version?: AppVersionContent;
  signature?: string | null;
  vars?: InstallVars;
  /** The compose as reported (APP_SECRET_ placeholders kept): the result's rendered_compose and what the policy checks. */
  rendered?: string;
  /** The same compose with the secret values: written to composeFile, never sent. */
  composeText?: string;
  /** The install's secret values by name (filled in place by render; the reporter hides every one). */
  secrets: Record<string, string>;
  renderedFiles?: Record<string, string>;
  /** Images to pull: services with an image and no build. */
  images: string[];
  /** Image reference -> id or digest, recorded on the deployment. */
  imageIds: Record<string, string>;
  /** Image reference -> local id (and repo digest), kept by the agent for rollbacks and cleanup. */
  pins: Record<string, ImagePin>;
  /** Images recorded when this version was deployed before: a rollback restores exactly these. */
  restorePins?: Record<string, ImagePin>;
  appState?: AppRunState;
  /** uninstall: delete the app folder too. */
  purge?: boolean;
  /** Set by the step that recorded the deployment's images (so the executor does not do it twice). */
  recorded?: boolean;
  /** Never switch blue/green in this run (returning to the previous deployment after a failure). */
  noSwitch?: boolean;
  /** The result's detail, when a step has something better to say than the default (prune). */
  detail?: string;
  /** Data for the Finalized event (prune: the PruneReport with the total bytes freed). */
  finalData?: Record<string, unknown>;
  /** Why this run snapshots the install's data first (absent: no snapshot). */
  snapshotReason?: SnapshotReason;
  /** Snapshots this task took (reported in the result, also when the task failed). */
  snapshots?: SnapshotReport[];
  /** The snapshot whose data this run puts back before starting the app. */
  restoreSnapshot?: string;
  /** Set once the data of restoreSnapshot is back. */
  restored?: string;
  /** Containers the snapshot stopped and left stopped for the restore after it (started again if it fails). */
  held?: Quiesced;
}

/** What a step of the given kinds runs with: a step of install-acting kinds (the default) may read the install. */
export interface StepContext<K extends TaskKind = AppTaskKind> {
  task: TaskOf<K>;
  deps: ExecutorDeps;
  report: StepReport;
  work: TaskWork;
  signal: AbortSignal;
  /** Aborted when the agent is asked to stop: long-running observation (a log follow) wraps up early. */
  stopSoon?: AbortSignal;
  /** Outcomes kept in the task's journal for a re-run after a crash (absent in tests that run steps alone). */
  memo?: { get(key: string): unknown; set(key: string, value: unknown): void };
}

/**
 * One named step of the kinds K. `run` is a property, not a method, so a step written for some kinds
 * does not type-check in the plan of another (a prune step cannot read an install).
 */
export interface Step<K extends TaskKind = AppTaskKind> {
  name: StepName;
  /** What the Starting event says. */
  title: string;
  /** Does the work; returns what the Complete event says. */
  run: (ctx: StepContext<K>) => Promise<string>;
  /** When given and false for this run, the step is left out (no events). */
  when?: (work: TaskWork) => boolean;
}
