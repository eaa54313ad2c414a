/**
 * What the executor's steps share: the task, the agent's parts (Docker, Compose, Apache, the local
 * install records), a reporter scoped to the step, and the work the steps hand on to each other.
 */
import type { TlsParts } from '../tls/index';
import type { LanNames } from '../names/dnsmasq';
import type { AppRunState, AppTaskKind, AppVersionContent, ScriptStep, SnapshotReason, SnapshotReport, StepName, TaskKind, TaskOf } from '../../core/protocol';
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

/** A compose file as its parsed value: kept so from render until prepare writes it, never re-read as text. */
export type ComposeValue = Record<string, unknown>;

/** Where a run acts: the slot, its compose project, the host port Apache proxies to and the compose file. */
export interface Target {
  slot: Slot;
  project: string;
  hostPort: number;
  /** The compose file this run writes and runs (the next slot's own file during a blue/green switch). */
  composeFile: string;
  /** The install's own host port (slot a's): the payload's, or the free one the ports step moved it to. */
  installPort?: number;
  /** Set when this run is a blue/green switch. */
  switchFrom?: SwitchFrom;
}

/** What render produces. */
export interface Rendered {
  /** APP_SECRET_ placeholders kept, serialized once: the result's rendered_compose and what the policy checks. */
  text: string;
  /** The same compose with the secret values: serialized once, by prepare, into composeFile; never sent. */
  real: ComposeValue;
  /** The version's other files, filled in: written into the app folder by prepare. */
  files: Record<string, string>;
  /** Images to pull: services with an image and no build. */
  images: string[];
}

/** What prepare produces: the compose now in `file`, as the value written (mounts checks it without reading it back). */
export interface Written {
  file: string;
  value: ComposeValue;
}

/** What pull produces: each image's id or digest (for the deployment) and local pin (for rollbacks and cleanup). */
export interface PulledImages {
  ids: Record<string, string>;
  pins: Record<string, ImagePin>;
}

/** What snapshot produces: the snapshot taken (none when the app has no data yet) and the containers it left stopped. */
export interface TakenSnapshot {
  report?: SnapshotReport;
  /** Containers the snapshot stopped and left stopped for the restore after it (started again if it fails). */
  held?: Quiesced;
}

/** What a step says about the whole task when it knows better than the default (prune, backup, stop, uninstall). */
export interface Outcome {
  detail?: string;
  /** Data for the Finalized event (prune: the PruneReport with the total bytes freed). */
  finalData?: Record<string, unknown>;
  appState?: AppRunState;
}

/**
 * The products steps hand on to later steps of the same run, by name. `target` is the one the task
 * starts with (the live slot, from the task and the install record); ports and render give a new one.
 */
export interface Products {
  target: Target;
  rendered: Rendered;
  written: Written;
  images: PulledImages;
  snapshot: TakenSnapshot;
  /** The snapshot whose data is back. */
  restored: { id: string };
  /** Whether the images step recorded the deployment's images (so the executor does not do it twice). */
  recorded: boolean;
  outcome: Outcome;
}
export type Product = keyof Products;
/** What every run has before its first step. */
export type StartProduct = 'target';

/** The task's own inputs, read-only, and what its steps produced so far (`made`, written only by the executor). */
export interface TaskWork {
  readonly identifier: string;
  readonly appDir: string;
  /** reconfigure: what ran before, put back when the new settings fail. */
  readonly before?: RunningSettings;
  /** The version this run converges to (install/update/rollback). */
  readonly version?: AppVersionContent;
  readonly signature?: string | null;
  /** The install's secret values by name (the store's handle: render adds generated ones; the reporter hides every one). */
  readonly secrets: Record<string, string>;
  /** Images recorded when this version was deployed before: a rollback restores exactly these. */
  readonly restorePins?: Record<string, ImagePin>;
  /** uninstall: delete the app folder too. */
  readonly purge?: boolean;
  /** Never switch blue/green in this run (returning to the previous deployment after a failure). */
  readonly noSwitch?: boolean;
  /** Why this run snapshots the install's data first (absent: no snapshot). */
  readonly snapshotReason?: SnapshotReason;
  /** The snapshot whose data this run puts back before starting the app. */
  readonly restoreSnapshot?: string;
  /** What this run's steps produced so far, by name (steps.ts: each step declares what it needs and gives). */
  readonly made: Readonly<Partial<Products> & Pick<Products, StartProduct>>;
}

/** What a run back to the previous deployment starts from besides its version. */
export type BackInputs = Pick<TaskWork, 'noSwitch' | 'restoreSnapshot' | 'restorePins'>;

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
  /** The products it reads from earlier steps and the ones it gives (steps.ts `defineStep`; none when absent). */
  needs?: readonly Product[];
  gives?: readonly Product[];
}
