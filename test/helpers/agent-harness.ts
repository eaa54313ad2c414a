/**
 * The agent's executor wired to the real testbed (Docker, Compose v1 or v2 per TESTBED_COMPOSE, private Apache) with an
 * in-memory control plane, signed app versions and tidy-up of everything a test created.
 */
import { mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import type { JWK } from 'jose';
import type { TaskKind, AppVersionContent, ClaimedTask, PayloadOf, TaskOf } from '../../core/protocol';
import { generateSigningKey, signVersion } from '../../core/catalog/signing';
import { hostParts } from '../../agent/agent';
import { loadConfig, type AgentConfig } from '../../agent/config';
import { EventSender } from '../../agent/events';
import { Executor, type Plans } from '../../agent/executor/index';
import { AGENT_PLANS } from '../../agent/executor/plans';
import type { ExecutorDeps } from '../../agent/executor/types';
import { InstallRegistry } from '../../agent/installs';
import { Journal } from '../../agent/journal';
import { silentLogger } from '../../agent/log';
import { FakeProtocolClient } from './fake-protocol';
import { removeComposeProject, type Testbed } from './testbed';

export const DOMAIN = 'home.test';

export interface Harness {
  tb: Testbed;
  config: AgentConfig;
  client: FakeProtocolClient;
  journal: Journal;
  sender: EventSender;
  deps: ExecutorDeps;
  executor: (overrides?: Partial<ExecutorDeps>, plans?: Plans) => Executor;
  sign: (v: AppVersionContent) => Promise<string>;
  docker: Docker;
  identifiers: Set<string>;
  cleanup: () => Promise<void>;
}

/** The agent's real host parts and executor deps on a state dir, with a protocol client that records what it is sent. */
export function localExecutorParts(config: AgentConfig, keys: { keys: Record<string, unknown>[] }) {
  const { docker, compose, apache, tls, names } = hostParts(config);
  const client = new FakeProtocolClient();
  const journal = new Journal(config.stateDir);
  const sender = new EventSender(journal, client, silentLogger);
  const deps: ExecutorDeps = {
    config,
    log: silentLogger,
    docker,
    compose,
    apache,
    tls,
    names,
    installs: new InstallRegistry(config.stateDir),
    pinnedKeys: () => keys,
    progressThrottleMs: 0,
  };
  return { client, journal, sender, deps };
}

export async function createHarness(tb: Testbed, over: Record<string, string> = {}): Promise<Harness> {
  const stateDir = mkdtempSync(join(tmpdir(), 'hda-agent-state-'));
  const appsRoot = mkdtempSync(join(tmpdir(), 'hda-apps-'));
  const config = loadConfig(
    {
      'state-dir': stateDir,
      'apps-root': appsRoot,
      'apache-sites-dir': tb.apacheSitesDir,
      'apache-configtest': JSON.stringify(tb.configtest),
      'apache-reload': JSON.stringify(tb.reload),
      'apache-url': tb.apacheUrl,
      'docker-socket': tb.dockerSocket,
      'apache-log-dir': tb.apacheLogDir,
      compose: tb.compose,
      'health-timeout': '60',
      'https-port': String(tb.apacheHttpsPort ?? 0),
      names: 'off',
      ...over,
    },
    {},
  );
  const key = await generateSigningKey('ES256');
  const { client, journal, sender, deps } = localExecutorParts(config, { keys: [key.publicJwk as Record<string, unknown>] });
  const identifiers = new Set<string>();
  const dockerApi = new Docker({ socketPath: tb.dockerSocket });
  return {
    tb,
    config,
    client,
    journal,
    sender,
    deps,
    executor: (o = {}, plans = AGENT_PLANS) => new Executor({ ...deps, ...o }, journal, sender, plans),
    sign: (v) => signVersion(v, key.privateJwk as JWK, key.kid),
    docker: dockerApi,
    identifiers,
    async cleanup() {
      for (const id of identifiers) {
        await removeComposeProject(dockerApi, id);
        rmSync(join(tb.apacheSitesDir, `hda-app-${id}.conf`), { force: true });
        rmSync(join(tb.apacheLogDir, 'hda-apps', id), { recursive: true, force: true });
      }
      sender.stop();
      await deps.names?.close();
      rmSync(stateDir, { recursive: true, force: true });
      rmSync(appsRoot, { recursive: true, force: true });
    },
  };
}

export function uniqueId(prefix = 'it'): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/**
 * The stand-in app's compose file. `slowStartS` delays its web server (a slow health check);
 * `dataVolume: false` leaves out the app folder's data mount.
 */
export function standinCompose(image: string, extra = '', opts: { slowStartS?: number; dataVolume?: boolean } = {}): string {
  const slow = opts.slowStartS ? `    entrypoint: ["/bin/sh", "-c", "sleep ${opts.slowStartS}; exec /bin/sh /standin.sh"]\n` : '';
  const data = opts.dataVolume === false ? '' : '    volumes:\n      - ./data:/data\n';
  return `services:
  web:
    image: ${image}
    container_name: APP_IDENTIFIER
    hostname: APP_HOSTNAME
    restart: unless-stopped
    init: true
${slow}    ports:
      - "HOST_PORT:80"
${data}${extra}`;
}

export function version(compose: string, over: Partial<AppVersionContent> = {}): AppVersionContent {
  return { app: 'standin', version: '1.0', kind: 'container', compose, files: {}, steps: [], ...over };
}

/** A task of `kind` on install `identifier`; `over` adds what the kind carries besides (logs, purge, ports...). */
export async function task<K extends TaskKind>(
  h: Harness,
  kind: K,
  identifier: string,
  port: number,
  v?: AppVersionContent,
  over: Partial<PayloadOf<K>> = {},
  id = `task-${randomBytes(4).toString('hex')}`,
): Promise<TaskOf<K>> {
  h.identifiers.add(identifier);
  return {
    id,
    kind,
    hda_id: 'hda-test',
    install_id: `inst-${identifier}`,
    deployment_id: null,
    attempts: 1,
    lease_until: new Date(Date.now() + 300_000).toISOString(),
    payload: {
      install: { id: `inst-${identifier}`, identifier, hostname: `${identifier}.${DOMAIN}`, host_port: port, domain: DOMAIN, policy_exceptions: [] },
      ...(v ? { version: v, signature: await h.sign(v) } : {}),
      ...over,
    },
  } as unknown as TaskOf<K>;
}

export function projectContainers(docker: Docker, project: string) {
  return docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
}

export function vhostFiles(tb: Testbed, identifier: string): string[] {
  return existsSync(tb.apacheSitesDir) ? readdirSync(tb.apacheSitesDir).filter((n) => n.includes(identifier)) : [];
}

export const run = (h: Harness, t: ClaimedTask, o?: Partial<ExecutorDeps>, plans?: Plans) => h.executor(o, plans).execute(t, new AbortController().signal);
