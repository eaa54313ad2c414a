/**
 * What the executor's steps share: the task, the agent's parts (Docker, Compose, Apache, the local
 * install records), a reporter scoped to the step, and the work the steps hand on to each other.
 */
import type { AppRunState, AppVersionContent, ClaimedTask, InstallVars, ScriptStep } from '../../core/protocol';
import type { Finding } from '../../core/catalog/types';
import type { PolicyOptions } from '../../core/catalog/policy';
import type { AgentConfig } from '../config';
import type { DockerProvider } from '../docker/client';
import type { ComposeRunner } from '../docker/compose';
import type { ApacheControl } from '../apache/apache';
import type { VhostInput } from '../apache/vhost';
import type { ProbeResult } from '../apache/probe';
import type { InstallRegistry } from '../installs';
import type { Logger } from '../log';
import type { Jwks } from '../state';
import type { ScriptStepOptions } from '../steps/script-steps';

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
  pinnedKeys: () => Jwks;
  /** Pins catalog keys endorsed by a pinned one (key rotation); returns the kids added. */
  refreshKeys?: () => Promise<string[]>;
  /** Seams for tests and for the catalog code: the real implementations are the defaults. */
  verifyVersion?: (content: AppVersionContent, jws: string, jwks: Jwks) => Promise<{ kid: string }>;
  checkPolicy?: (compose: string, opts: PolicyOptions) => Finding[];
  renderVhost?: (v: VhostInput) => string;
  runScriptSteps?: (steps: ScriptStep[], appDir: string, opts: ScriptStepOptions) => Promise<void>;
  probe?: (apacheUrl: string, host: string, serverName: string) => Promise<ProbeResult>;
  /** Called after a task changed an app, so a heartbeat goes out at once. */
  onAppChanged?: () => void;
  /** How often pull progress may be reported, in ms (default 1000). */
  progressThrottleMs?: number;
  /** Where amahi-download fetches from. */
  downloadBaseUrl?: string;
}

export interface StepReport {
  ok(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  progress(message: string, data: Record<string, unknown>): void;
}

/** What steps hand on to each other within one task. */
export interface TaskWork {
  identifier: string;
  appDir: string;
  composeFile: string;
  /** The version this run converges to (install/update/rollback). */
  version?: AppVersionContent;
  signature?: string | null;
  vars?: InstallVars;
  rendered?: string;
  renderedFiles?: Record<string, string>;
  /** Images to pull: services with an image and no build. */
  images: string[];
  /** Image reference -> id or digest, recorded on the deployment. */
  imageIds: Record<string, string>;
  appState?: AppRunState;
  /** uninstall: delete the app folder too. */
  purge?: boolean;
}

export interface StepContext {
  task: ClaimedTask;
  deps: ExecutorDeps;
  report: StepReport;
  work: TaskWork;
  signal: AbortSignal;
}

export interface Step {
  name: string;
  /** What the Starting event says. */
  title: string;
  /** Does the work; returns what the Complete event says. */
  run(ctx: StepContext): Promise<string>;
}
