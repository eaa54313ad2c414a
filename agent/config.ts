/**
 * The agent's settings, from command-line flags first, then environment variables, then defaults
 * that match an Amahi HDA (Debian or Fedora). Commands are argv arrays, never shell strings.
 */
import { existsSync } from 'node:fs';
import { NAMES_MODES, type NamesMode, TLS_MODES, type TlsMode } from '../core/protocol/lan-modes';
import { ACME_EMAIL } from '../core/protocol/lan-settings-rules';
import type { LogLevel } from './log';

export interface AgentConfig {
  stateDir: string;
  appsRoot: string;
  apacheSitesDir: string;
  /** Apache's own log folder; each app's logs go to <it>/hda-apps/<identifier>/, root-owned. */
  apacheLogDir: string;
  apacheConfigtest: string[];
  apacheReload: string[];
  /** Where Apache answers; the vhost listens on this URL's port and the probe goes through it. */
  apacheProbeUrl: string;
  /** The port Apache serves HTTPS on (each app's SSL vhost); 0 turns HTTPS off. */
  httpsPort: number;
  /** The plain vhosts redirect to HTTPS instead of serving the app (the owner's choice). */
  httpsRedirect: boolean;
  /** Where app certificates come from: the HDA's own CA, or ACME for an HDA whose domain is public. */
  tls: TlsMode;
  acmeDirectory: string;
  acmeEmail: string;
  /** Extra CA certificates lego trusts for the ACME directory (a test CA); empty: the system's. */
  acmeCaBundle: string;
  /** The folder Apache serves /.well-known/acme-challenge/ from (readable by Apache). */
  acmeWebroot: string;
  /** How the apps' names reach the LAN: the HDA's dnsmasq, `<app>.local` over mDNS (avahi), or off. */
  names: NamesMode;
  /** The folder the HDA's dnsmasq reads with `hostsdir=`; the agent owns one file in it. */
  dnsHostsDir: string;
  /** The address app names point to ('auto': the HDA's LAN address). */
  dnsAddress: string;
  /** Where the HDA's dnsmasq answers (the agent checks its names resolve there). */
  dnsServer: string;
  dnsPidFile: string;
  /** avahi-daemon's pid file (names=mdns): whether it runs is reported, never changed. */
  avahiPidFile: string;
  dockerSocket: string;
  composeFlavor: 'auto' | 'v1' | 'v2';
  heartbeatIntervalS: number;
  pollWaitS: number;
  /** Keep the HDA channel (a WebSocket the control plane rings) open; off: long-poll only. */
  channel: boolean;
  healthTimeoutS: number;
  shutdownGraceS: number;
  /** Blue/green: how long the old version keeps running after Apache switched to the new one. */
  switchDrainS: number;
  /**
   * Several agents on one Docker host and Apache (labs, test rigs): prefixes this agent's compose
   * project names and vhost files so theirs never collide. Empty on a normal HDA.
   */
  namespace: string;
  /** Host folders apps may bind-mount besides their own folder (e.g. /var/hda/files). */
  shareRoots: string[];
  /** Development only: accept app versions that carry no signature. */
  allowUnsigned: boolean;
  logLevel: LogLevel;
  /** Overrides the control plane URL stored at enrollment. */
  server?: string;
}

interface Setting {
  key: keyof AgentConfig;
  flag: string;
  env: string;
  help: string;
  parse: (raw: string) => unknown;
  fallback: () => unknown;
}

const str = (s: string) => s;

/** "a or b", "a, b or c": the allowed words as a message says them. */
const either = (values: readonly string[]) => (values.length < 3 ? values.join(' or ') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`);

/** One word of a fixed list (a mode, a flavour, a level). */
const oneOf =
  <T extends string>(name: string, values: readonly T[]) =>
  (s: string): T => {
    if (!(values as readonly string[]).includes(s)) throw new Error(`${name} must be ${either(values)}, got "${s}"`);
    return s as T;
  };

/** A value that must match `pattern` as a whole (`what` says what it must be). */
const matching = (name: string, pattern: RegExp, what: string) => (s: string) => {
  if (!pattern.test(s)) throw new Error(`${name} is not ${what}: "${s}"`);
  return s;
};

/** A number that `ok` accepts (`what` says which numbers). */
const numberWhere = (name: string, what: string, ok: (n: number) => boolean) => (s: string) => {
  const n = Number(s);
  if (!Number.isFinite(n) || !ok(n)) throw new Error(`${name} must be ${what}, got "${s}"`);
  return n;
};
const num = (name: string) => numberWhere(name, 'a positive number', (n) => n > 0);
const nonNegative = (name: string) => numberWhere(name, 'a number >= 0', (n) => n >= 0);
const portOrOff = (name: string) => numberWhere(name, '0 (off) or a port number', (n) => Number.isInteger(n) && n >= 0 && n <= 65535);
const bool = (s: string) => /^(1|true|yes|on)$/i.test(s);
const list = (s: string) =>
  s
    .split(/[,:]/)
    .map((x) => x.trim())
    .filter(Boolean);

/** A command as a JSON array (`["apache2","-t"]`) or words separated by spaces (`apachectl configtest`). */
export function parseArgv(s: string): string[] {
  const t = s.trim();
  if (t.startsWith('[')) {
    const v = JSON.parse(t) as unknown;
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string')) throw new Error(`not a list of strings: ${s}`);
    return v as string[];
  }
  const words = t.split(/\s+/).filter(Boolean);
  if (words.length === 0) throw new Error('empty command');
  return words;
}

function defaultSitesDir(): string {
  if (existsSync('/etc/apache2/sites-enabled')) return '/etc/apache2/sites-enabled';
  if (existsSync('/etc/httpd/conf.d')) return '/etc/httpd/conf.d';
  return '/etc/apache2/sites-enabled';
}

function defaultApacheLogDir(): string {
  if (existsSync('/var/log/apache2')) return '/var/log/apache2';
  if (existsSync('/var/log/httpd')) return '/var/log/httpd';
  return '/var/log/apache2';
}

export const SETTINGS: Setting[] = [
  {
    key: 'stateDir',
    flag: 'state-dir',
    env: 'HDA_AGENT_STATE_DIR',
    help: 'token, pinned keys, journal (default /var/lib/hda-agent)',
    parse: str,
    fallback: () => '/var/lib/hda-agent',
  },
  {
    key: 'appsRoot',
    flag: 'apps-root',
    env: 'HDA_AGENT_APPS_ROOT',
    help: 'app folders <root>/<identifier> (default /var/hda/web-apps)',
    parse: str,
    fallback: () => '/var/hda/web-apps',
  },
  {
    key: 'apacheSitesDir',
    flag: 'apache-sites-dir',
    env: 'HDA_AGENT_APACHE_SITES_DIR',
    help: 'where vhosts go (Debian /etc/apache2/sites-enabled, Fedora /etc/httpd/conf.d)',
    parse: str,
    fallback: defaultSitesDir,
  },
  {
    key: 'apacheLogDir',
    flag: 'apache-log-dir',
    env: 'HDA_AGENT_APACHE_LOG_DIR',
    help: "Apache's log folder; app logs in <it>/hda-apps/<identifier> (Debian /var/log/apache2, Fedora /var/log/httpd)",
    parse: str,
    fallback: defaultApacheLogDir,
  },
  {
    key: 'apacheConfigtest',
    flag: 'apache-configtest',
    env: 'HDA_AGENT_APACHE_CONFIGTEST',
    help: 'config test command (default "apachectl configtest")',
    parse: parseArgv,
    fallback: () => ['apachectl', 'configtest'],
  },
  {
    key: 'apacheReload',
    flag: 'apache-reload',
    env: 'HDA_AGENT_APACHE_RELOAD',
    help: 'graceful reload command (default "apachectl graceful")',
    parse: parseArgv,
    fallback: () => ['apachectl', 'graceful'],
  },
  {
    key: 'apacheProbeUrl',
    flag: 'apache-url',
    env: 'HDA_AGENT_APACHE_URL',
    help: 'Apache as seen from this host (default http://127.0.0.1:80/)',
    parse: str,
    fallback: () => 'http://127.0.0.1:80/',
  },
  {
    key: 'httpsPort',
    flag: 'https-port',
    env: 'HDA_AGENT_HTTPS_PORT',
    help: "port of Apache's HTTPS vhosts, certificates from this HDA's own CA (default 443; 0 = HTTP only)",
    parse: portOrOff('https port'),
    fallback: () => 443,
  },
  {
    key: 'httpsRedirect',
    flag: 'https-redirect',
    env: 'HDA_AGENT_HTTPS_REDIRECT',
    help: 'plain HTTP answers with a redirect to HTTPS (default off)',
    parse: bool,
    fallback: () => false,
  },
  {
    key: 'tls',
    flag: 'tls',
    env: 'HDA_AGENT_TLS',
    help: "ca | acme: app certificates from this HDA's own CA (default) or from an ACME CA (a public domain)",
    parse: oneOf('tls', TLS_MODES),
    fallback: () => 'ca',
  },
  {
    key: 'acmeDirectory',
    flag: 'acme-directory',
    env: 'HDA_AGENT_ACME_DIRECTORY',
    help: "ACME directory URL (default Let's Encrypt)",
    parse: matching('acme directory', /^https:\/\/[^\s]+$/, 'an https URL'),
    fallback: () => 'https://acme-v02.api.letsencrypt.org/directory',
  },
  {
    key: 'acmeEmail',
    flag: 'acme-email',
    env: 'HDA_AGENT_ACME_EMAIL',
    help: 'contact address of the ACME account (needed with --tls acme)',
    parse: matching('acme email', ACME_EMAIL, 'an email address'),
    fallback: () => '',
  },
  {
    key: 'acmeCaBundle',
    flag: 'acme-ca-bundle',
    env: 'HDA_AGENT_ACME_CA_BUNDLE',
    help: 'PEM file of extra CAs to trust for the ACME directory (test CAs only; default none)',
    parse: str,
    fallback: () => '',
  },
  {
    key: 'acmeWebroot',
    flag: 'acme-webroot',
    env: 'HDA_AGENT_ACME_WEBROOT',
    help: 'folder Apache serves /.well-known/acme-challenge/ from (default /var/www/hda-agent-acme)',
    parse: str,
    fallback: () => '/var/www/hda-agent-acme',
  },
  {
    key: 'names',
    flag: 'names',
    env: 'HDA_AGENT_NAMES',
    help: "dnsmasq | mdns | off: the apps' names in the HDA's dnsmasq, or <app>.local through avahi (default dnsmasq)",
    parse: oneOf('names', NAMES_MODES),
    fallback: () => 'dnsmasq',
  },
  {
    key: 'dnsHostsDir',
    flag: 'dns-hosts-dir',
    env: 'HDA_AGENT_DNS_HOSTS_DIR',
    help: 'the folder dnsmasq reads with hostsdir= (default /etc/hda-agent/hosts.d)',
    parse: str,
    fallback: () => '/etc/hda-agent/hosts.d',
  },
  {
    key: 'dnsAddress',
    flag: 'dns-address',
    env: 'HDA_AGENT_DNS_ADDRESS',
    help: "the IPv4 address app names point to (default auto: the HDA's LAN address)",
    parse: str,
    fallback: () => 'auto',
  },
  {
    key: 'dnsServer',
    flag: 'dns-server',
    env: 'HDA_AGENT_DNS_SERVER',
    help: "where the HDA's dnsmasq answers, address[:port] (default 127.0.0.1)",
    parse: str,
    fallback: () => '127.0.0.1',
  },
  {
    key: 'dnsPidFile',
    flag: 'dns-pidfile',
    env: 'HDA_AGENT_DNS_PIDFILE',
    help: "dnsmasq's pid file, to report whether it runs (default /run/dnsmasq/dnsmasq.pid)",
    parse: str,
    fallback: () => '/run/dnsmasq/dnsmasq.pid',
  },
  {
    key: 'avahiPidFile',
    flag: 'avahi-pidfile',
    env: 'HDA_AGENT_AVAHI_PIDFILE',
    help: "avahi-daemon's pid file, to report whether it runs with --names mdns (default /run/avahi-daemon/pid)",
    parse: str,
    fallback: () => '/run/avahi-daemon/pid',
  },
  {
    key: 'dockerSocket',
    flag: 'docker-socket',
    env: 'HDA_AGENT_DOCKER_SOCKET',
    help: 'Docker Engine socket (default /var/run/docker.sock)',
    parse: str,
    fallback: () => '/var/run/docker.sock',
  },
  {
    key: 'composeFlavor',
    flag: 'compose',
    env: 'HDA_AGENT_COMPOSE',
    help: 'auto | v2 (docker compose) | v1 (docker-compose)',
    parse: oneOf('compose', ['auto', 'v1', 'v2']),
    fallback: () => 'auto',
  },
  {
    key: 'heartbeatIntervalS',
    flag: 'heartbeat-interval',
    env: 'HDA_AGENT_HEARTBEAT_S',
    help: 'seconds between heartbeats (default 30)',
    parse: num('heartbeat interval'),
    fallback: () => 30,
  },
  {
    key: 'pollWaitS',
    flag: 'poll-wait',
    env: 'HDA_AGENT_POLL_WAIT_S',
    help: 'long-poll wait in seconds (default 25)',
    parse: num('poll wait'),
    fallback: () => 25,
  },
  {
    key: 'healthTimeoutS',
    flag: 'health-timeout',
    env: 'HDA_AGENT_HEALTH_TIMEOUT_S',
    help: 'how long an app may take to answer (default 180)',
    parse: num('health timeout'),
    fallback: () => 180,
  },
  {
    key: 'shutdownGraceS',
    flag: 'shutdown-grace',
    env: 'HDA_AGENT_SHUTDOWN_GRACE_S',
    help: 'on SIGTERM, time to finish the task in hand (default 60)',
    parse: num('shutdown grace'),
    fallback: () => 60,
  },
  {
    key: 'switchDrainS',
    flag: 'switch-drain',
    env: 'HDA_AGENT_SWITCH_DRAIN_S',
    help: 'blue/green: seconds the old version keeps serving after the switch (default 3)',
    parse: nonNegative('switch drain'),
    fallback: () => 3,
  },
  {
    key: 'namespace',
    flag: 'namespace',
    env: 'HDA_AGENT_NAMESPACE',
    help: 'prefix for compose projects and vhost files when several agents share one host (default none)',
    parse: matching('namespace', /^[a-z0-9]{1,20}$/, '1-20 lowercase letters or digits'),
    fallback: () => '',
  },
  {
    key: 'shareRoots',
    flag: 'share-roots',
    env: 'HDA_AGENT_SHARE_ROOTS',
    help: 'host folders apps may mount, comma-separated (default /var/hda/files)',
    parse: list,
    fallback: () => ['/var/hda/files'],
  },
  {
    key: 'channel',
    flag: 'channel',
    env: 'HDA_AGENT_CHANNEL',
    help: 'keep a WebSocket the control plane rings when work is queued (default true; false: long-poll only)',
    parse: bool,
    fallback: () => true,
  },
  {
    key: 'allowUnsigned',
    flag: 'allow-unsigned',
    env: 'HDA_AGENT_ALLOW_UNSIGNED',
    help: 'development only: accept unsigned app versions',
    parse: bool,
    fallback: () => false,
  },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'HDA_AGENT_LOG_LEVEL',
    help: 'debug | info | warn | error (default info)',
    parse: oneOf('log level', ['debug', 'info', 'warn', 'error']),
    fallback: () => 'info',
  },
  {
    key: 'server',
    flag: 'server',
    env: 'HDA_AGENT_SERVER',
    help: 'control plane URL (enroll; run overrides the enrolled one)',
    parse: str,
    fallback: () => undefined,
  },
];

/** Builds the config; `flags` holds values given on the command line, keyed by flag name. */
export function loadConfig(flags: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const fromFlag = flags[s.flag];
    const raw = fromFlag !== undefined ? String(fromFlag) : env[s.env];
    out[s.key] = raw !== undefined && raw !== '' ? s.parse(raw) : s.fallback();
  }
  // The Docker CLI's DOCKER_HOST is honoured when no agent-specific socket is given.
  if (flags['docker-socket'] === undefined && !env.HDA_AGENT_DOCKER_SOCKET && env.DOCKER_HOST?.startsWith('unix://')) {
    out.dockerSocket = env.DOCKER_HOST.slice('unix://'.length);
  }
  if (out.tls === 'acme' && !out.acmeEmail) throw new Error('--tls acme needs --acme-email (the ACME account contact)');
  return out as unknown as AgentConfig;
}

/** The port the vhosts listen on: the port of the Apache URL the agent probes. */
export function apachePort(cfg: Pick<AgentConfig, 'apacheProbeUrl'>): number {
  const u = new URL(cfg.apacheProbeUrl);
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

export function settingsHelp(): string {
  return SETTINGS.map((s) => `  --${s.flag.padEnd(20)} ${s.env.padEnd(28)} ${s.help}`).join('\n');
}
