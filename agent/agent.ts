/**
 * Wires the agent's parts together for `hda-agent run`: state dir, protocol client, Docker, Compose,
 * Apache, journal, executor, heartbeat and the poll loop, with SIGTERM/SIGINT handling.
 */
import { join } from 'node:path';
import type { HostFacts } from '../core/protocol';
import { ApacheControl } from './apache/apache';
import { AgentChannel } from './channel';
import { HttpProtocolClient, type ProtocolClient } from './client';
import type { AgentConfig } from './config';
import { DockerProvider } from './docker/client';
import { ComposeRunner } from './docker/compose';
import { EventSender } from './events';
import { Executor } from './executor/index';
import { composeRunDir } from './executor/paths';
import type { ExecutorDeps } from './executor/types';
import { collectFacts } from './facts';
import { Heartbeat } from './heartbeat';
import { InstallRegistry } from './installs';
import { Journal } from './journal';
import { createLogger, type Logger } from './log';
import { MetricsWindows } from './metrics';
import { PollLoop } from './poll';
import { StateDir } from './state';

export interface AgentParts {
  state: StateDir;
  client: ProtocolClient;
  deps: ExecutorDeps;
  journal: Journal;
  sender: EventSender;
  executor: Executor;
  heartbeat: Heartbeat;
  loop: PollLoop;
  /** Absent when the channel is turned off (or a client was handed in: tests without a server). */
  channel?: AgentChannel;
  facts: () => Promise<HostFacts>;
}

/** The parts that touch this host (Docker, Compose, Apache, the state dir), shared by run and status. */
export function hostParts(config: AgentConfig) {
  const state = new StateDir(config.stateDir);
  const docker = new DockerProvider(config.dockerSocket);
  const compose = new ComposeRunner(config.dockerSocket, config.composeFlavor, { runDir: composeRunDir(config.stateDir) });
  const apache = new ApacheControl({
    sitesDir: config.apacheSitesDir,
    configtest: config.apacheConfigtest,
    reload: config.apacheReload,
    backupDir: join(config.stateDir, 'vhost-backup'),
    namespace: config.namespace,
  });
  return { state, docker, compose, apache };
}

/** Facts change rarely: collect them at most every few minutes. */
function cachedFacts(collect: () => Promise<HostFacts>, ttlMs = 5 * 60_000): () => Promise<HostFacts> {
  let at = 0;
  let value: Promise<HostFacts> | null = null;
  return () => {
    if (!value || Date.now() - at > ttlMs) {
      at = Date.now();
      value = collect();
      value.catch(() => (value = null));
    }
    return value;
  };
}

export function createAgent(config: AgentConfig, opts: { log?: Logger; client?: ProtocolClient } = {}): AgentParts {
  const log = opts.log ?? createLogger(config.logLevel);
  const { state, docker, compose, apache } = hostParts(config);
  state.ensure();
  const enrollment = state.enrollment();
  const server = config.server ?? enrollment.server;
  const client = opts.client ?? new HttpProtocolClient(server, state.token());
  const channel = config.channel && !opts.client ? new AgentChannel({ server, token: state.token(), log }) : undefined;
  const installs = new InstallRegistry(config.stateDir);
  const journal = new Journal(config.stateDir);
  const sender = new EventSender(journal, client, log);
  const facts = cachedFacts(() => collectFacts({ docker, compose, apache, appsRoot: config.appsRoot }));
  const heartbeat = new Heartbeat({
    client,
    docker,
    installs,
    facts,
    intervalS: config.heartbeatIntervalS,
    log,
    namespace: config.namespace,
    metrics: new MetricsWindows(),
    // With the channel open, presence comes from the socket: a heartbeat that says nothing new waits.
    quietWhile: () => !!channel?.isOpen,
  });
  const deps: ExecutorDeps = {
    config,
    log,
    docker,
    compose,
    apache,
    installs,
    pinnedKeys: () => state.pinnedKeys(),
    // Key rotation (jose, the catalog's key code) loads only when a version names a key not pinned.
    refreshKeys: async () => (await import('./keys')).refreshPinnedKeys(config.server ?? enrollment.server, state),
    onAppChanged: () => heartbeat.trigger(),
  };
  const executor = new Executor(deps, journal, sender);
  const loop = new PollLoop({ client, executor, journal, sender, log, waitS: config.pollWaitS, channel });
  return { state, client, deps, journal, sender, executor, heartbeat, loop, channel, facts };
}

/** Runs until SIGTERM/SIGINT: stop polling at once, give the task in hand the grace period. */
export async function runAgent(config: AgentConfig, log: Logger = createLogger(config.logLevel)): Promise<void> {
  const agent = createAgent(config, { log });
  const stop = new AbortController();
  const abortWork = new AbortController();
  let graceTimer: NodeJS.Timeout | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      log.warn(`${sig} again: stopping the task in hand between steps now`);
      abortWork.abort();
      return;
    }
    log.info(`${sig}: no new tasks; finishing the task in hand (up to ${config.shutdownGraceS}s)`);
    stop.abort();
    graceTimer = setTimeout(() => abortWork.abort(), config.shutdownGraceS * 1000);
    graceTimer.unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const e = agent.state.enrollment();
  log.info(`hda-agent running for HDA ${e.name} (${e.hda_id}), domain ${e.domain}, control plane ${config.server ?? e.server}`);
  const info = await agent.deps.compose.detect().catch((err: Error) => {
    log.warn(`Compose: ${err.message}`);
    return null;
  });
  if (info) log.info(`Compose ${info.flavor} ${info.version} (${info.argv.join(' ')})`);
  agent.heartbeat.start();
  const channel = agent.channel?.run(stop.signal);
  try {
    await agent.loop.run({ stop: stop.signal, abortWork: abortWork.signal });
    await channel;
  } finally {
    agent.heartbeat.stop();
    agent.sender.stop();
    if (graceTimer) clearTimeout(graceTimer);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    log.info('hda-agent stopped');
  }
}
