/**
 * Wires the agent's parts together for `hda-agent run`: state dir, protocol client, Docker, Compose,
 * Apache, journal, executor, heartbeat and the poll loop, with SIGTERM/SIGINT handling.
 */
import { join } from 'node:path';
import type { HostFacts, LanHealth } from '../core/protocol';
import { tlsParts, type TlsParts } from './tls/index';
import { lanNames } from './names/index';
import { collectLanHealth } from './lan-health';
import { CertRenewal } from './tls/renewal';
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
import { BackupSchedule, backupHeartbeat } from './backup/schedule';
import { InstallRegistry } from './installs';
import { loadLanSettings, withLanSettings } from './lan-settings';
import { Journal } from './journal';
import { createLogger, type Logger } from './log';
import { MetricsWindows } from './metrics';
import { PollLoop } from './poll';
import { StateDir } from './state';

export interface AgentParts {
  state: StateDir;
  /** Renews app certificates between tasks; null when HTTPS is off. */
  renewal: CertRenewal | null;
  client: ProtocolClient;
  deps: ExecutorDeps;
  journal: Journal;
  sender: EventSender;
  executor: Executor;
  heartbeat: Heartbeat;
  backups: BackupSchedule;
  loop: PollLoop;
  /** Absent when the channel is turned off (or a client was handed in: tests without a server). */
  channel?: AgentChannel;
  facts: () => Promise<HostFacts>;
}

/**
 * The parts that touch this host (Docker, Compose, Apache, the state dir), shared by run and status;
 * `config` is the flags with the owner's applied LAN settings in place (lan-settings.ts).
 */
export function hostParts(flags: AgentConfig) {
  const stored = loadLanSettings(flags.stateDir);
  const config = withLanSettings(flags, stored.settings);
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
  const settingsProblem = 'problem' in stored ? stored.problem : undefined;
  return { config, settingsProblem, state, docker, compose, apache, tls: tlsParts(config, caDomains(state, config)), names: lanNames(config) };
}

/**
 * The domains a new CA may sign for: the enrolled domain (none before enrollment), and `.local` when the
 * apps' names are mDNS ones; a CA made without it leaves `.local` names out of certificates, saying so.
 */
function caDomains(state: StateDir, config: Pick<AgentConfig, 'names'>): string[] {
  if (!state.isEnrolled()) return [];
  return [state.enrollment().domain, ...(config.names === 'mdns' ? ['local'] : [])];
}

/** Facts change rarely: collect them at most every few minutes. */
function cachedFacts(collect: () => Promise<HostFacts>, ttlMs = 5 * 60_000): () => Promise<HostFacts> {
  return cached(collect, ttlMs);
}

/** A collector run at most once per `ttlMs`; a failed run is forgotten so the next call tries again. */
function cached<T>(collect: () => Promise<T>, ttlMs: number): (() => Promise<T>) & { forget: () => void } {
  let at = 0;
  let value: Promise<T> | null = null;
  const get = () => {
    if (!value || Date.now() - at > ttlMs) {
      at = Date.now();
      value = collect();
      value.catch(() => (value = null));
    }
    return value;
  };
  return Object.assign(get, { forget: () => (value = null) });
}

export function createAgent(flags: AgentConfig, opts: { log?: Logger; client?: ProtocolClient } = {}): AgentParts {
  const log = opts.log ?? createLogger(flags.logLevel);
  const { config, settingsProblem, state, docker, compose, apache, tls, names } = hostParts(flags);
  if (settingsProblem) log.warn(settingsProblem);
  state.ensure();
  const enrollment = state.enrollment();
  const server = config.server ?? enrollment.server;
  const client = opts.client ?? new HttpProtocolClient(server, state.token());
  const channel = config.channel && !opts.client ? new AgentChannel({ server, token: state.token(), log }) : undefined;
  const installs = new InstallRegistry(config.stateDir);
  const journal = new Journal(config.stateDir);
  const sender = new EventSender(journal, client, log);
  const facts = cachedFacts(() => collectFacts({ docker, compose, apache, appsRoot: config.appsRoot }));
  const renewal = tls ? new CertRenewal({ tls, installs, apache, log, namespace: config.namespace, names }) : null;
  // Read through deps: an applied lan-settings task replaces its tls and names parts.
  const lan = cached(
    () => collectLanHealth({ installs, tls: deps.tls, names: deps.names, namespace: config.namespace, renewalFailures: renewal?.failures }),
    60_000,
  );
  const heartbeat = agentHeartbeat({ config, client, docker, installs, facts, log, lan, channel });
  const backups = new BackupSchedule({
    stateDir: config.stateDir,
    appsRoot: config.appsRoot,
    hdaId: enrollment.hda_id,
    namespace: config.namespace ?? '',
    docker: () => docker.docker(),
    installs,
    log,
    onRun: () => heartbeat.trigger(),
  });
  const deps: ExecutorDeps = {
    config,
    log,
    docker,
    compose,
    apache,
    installs,
    tls,
    names,
    pinnedKeys: () => state.pinnedKeys(),
    // Key rotation (jose, the catalog's key code) loads only when a version names a key not pinned.
    refreshKeys: async () => (await import('./keys')).refreshPinnedKeys(config.server ?? enrollment.server, state),
    onAppChanged: () => heartbeat.trigger(),
    onLanChanged: () => {
      if (deps.tls) renewal?.use(deps.tls, deps.names);
      lan.forget();
      heartbeat.trigger();
    },
  };
  const executor = new Executor(deps, journal, sender);
  const loop = new PollLoop({ client, executor, journal, sender, log, waitS: config.pollWaitS, channel });
  return { state, renewal, client, deps, journal, sender, executor, heartbeat, loop, channel, facts, backups };
}

interface HeartbeatParts {
  config: AgentConfig;
  client: ProtocolClient;
  docker: AgentParts['deps']['docker'];
  installs: InstallRegistry;
  facts: () => Promise<HostFacts>;
  log: Logger;
  lan: () => Promise<LanHealth>;
  channel?: AgentChannel;
}

function agentHeartbeat({ config, client, docker, installs, facts, log, lan, channel }: HeartbeatParts): Heartbeat {
  return new Heartbeat({
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
    lan,
    extra: () => backupHeartbeat(config.stateDir),
  });
}

/** First start makes the HDA's CA; only its fingerprint is logged (the key never is). */
async function ensureCa(tls: TlsParts | null | undefined, log: Logger): Promise<void> {
  if (tls?.source !== 'ca') return; // HTTPS off, or ACME issues the certificates: no CA to make
  try {
    const made = await tls.ca.ensure();
    log.info(`certificate authority ${made === 'created' ? 'created' : 'present'}: ${tls.ca.info()?.fingerprint256 ?? '?'}`);
  } catch (e) {
    log.warn(`HTTPS: cannot make this HDA's certificate authority, apps are served over HTTP: ${(e as Error).message}`);
  }
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
  await ensureCa(agent.deps.tls, log);
  agent.deps.names?.start();
  agent.heartbeat.start();
  agent.backups.start();
  agent.renewal?.start();
  const channel = agent.channel?.run(stop.signal);
  try {
    await agent.loop.run({ stop: stop.signal, abortWork: abortWork.signal });
    await channel;
  } finally {
    agent.renewal?.stop();
    agent.heartbeat.stop();
    agent.backups.stop();
    agent.sender.stop();
    await agent.deps.names?.close();
    if (graceTimer) clearTimeout(graceTimer);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    log.info('hda-agent stopped');
  }
}
