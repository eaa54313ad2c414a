/**
 * The real Docker, Compose v1, registry and Apache that test/testbed/up.sh brings up, as tests see
 * them: read from test/testbed/.env and checked live, with a one-line reason when something is
 * missing (tests then skip, or fail under CI=true through requireOrSkip).
 */
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { portIsFree } from '../../agent/host-ports';

export const TESTBED_ENV_FILE = fileURLToPath(new URL('../testbed/.env', import.meta.url));

export interface Testbed {
  dockerSocket: string;
  registry: string;
  standinImage: string;
  standinImageAlt: string;
  /** Used only where a test needs a first pull to download real bytes. */
  standinImagePull: string;
  apacheBin: string;
  apachePort: number;
  /** The private Apache's HTTPS port (mod_ssl); undefined on a testbed from before HTTPS. */
  apacheHttpsPort?: number;
  apacheConf: string;
  apacheSitesDir: string;
  /** The private Apache's log folder: app logs go to <it>/hda-apps/<identifier>. */
  apacheLogDir: string;
  /** The Compose dialect agents drive in this run: TESTBED_COMPOSE=v1|v2 (default v1). */
  compose: 'v1' | 'v2';
  apacheUrl: string;
  configtest: string[];
  reload: string[];
}

/** Which Compose the agents of this test run drive: TESTBED_COMPOSE=v1|v2, v1 when unset. */
export function testbedCompose(env: NodeJS.ProcessEnv = process.env): 'v1' | 'v2' {
  const v = env.TESTBED_COMPOSE ?? 'v1';
  if (v !== 'v1' && v !== 'v2') throw new Error(`TESTBED_COMPOSE must be v1 or v2, got ${JSON.stringify(v)}`);
  return v;
}

function readEnv(): Record<string, string> | null {
  if (!existsSync(TESTBED_ENV_FILE)) return null;
  const out: Record<string, string> = {};
  for (const line of readFileSync(TESTBED_ENV_FILE, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** The testbed if every part answers, else the reason it cannot be used. */
export function probeTestbed(): { ok: true; testbed: Testbed } | { ok: false; reason: string } {
  const env = readEnv();
  if (!env) return { ok: false, reason: 'test/testbed/.env missing (run: bash test/testbed/up.sh)' };
  const tb: Testbed = {
    dockerSocket: env.DOCKER_SOCKET,
    registry: env.REGISTRY,
    standinImage: env.STANDIN_IMAGE,
    standinImageAlt: env.STANDIN_IMAGE_ALT,
    standinImagePull: env.STANDIN_IMAGE_PULL,
    apacheBin: env.APACHE_BIN,
    apachePort: Number(env.APACHE_PORT),
    apacheHttpsPort: env.APACHE_HTTPS_PORT ? Number(env.APACHE_HTTPS_PORT) : undefined,
    apacheConf: env.APACHE_CONF,
    apacheSitesDir: env.APACHE_SITES_DIR,
    apacheLogDir: dirname(env.APACHE_ERROR_LOG),
    compose: testbedCompose(),
    apacheUrl: `http://127.0.0.1:${env.APACHE_PORT}/`,
    configtest: [env.APACHE_BIN, '-f', env.APACHE_CONF, '-t'],
    reload: [env.APACHE_BIN, '-f', env.APACHE_CONF, '-k', 'graceful'],
  };
  const docker = spawnSync('docker', ['-H', `unix://${tb.dockerSocket}`, 'info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 20_000 });
  if (docker.status !== 0) return { ok: false, reason: `Docker daemon not answering on ${tb.dockerSocket}` };
  if (spawnSync('docker-compose', ['version', '--short'], { timeout: 20_000 }).status !== 0) return { ok: false, reason: 'docker-compose (v1) not installed' };
  if (tb.compose === 'v2' && spawnSync('docker', ['compose', 'version', '--short'], { timeout: 20_000 }).status !== 0)
    return { ok: false, reason: 'the Compose v2 plugin (docker compose) is not installed' };
  if (spawnSync(tb.configtest[0], tb.configtest.slice(1), { timeout: 20_000 }).status !== 0)
    return { ok: false, reason: `Apache config ${tb.apacheConf} does not pass its test` };
  const curl = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', tb.apacheUrl], { encoding: 'utf8', timeout: 10_000 });
  if (!/^\d{3}$/.test(curl.stdout ?? '') || curl.stdout === '000') return { ok: false, reason: `testbed Apache not answering on ${tb.apacheUrl}` };
  const reg = spawnSync('curl', ['-fsS', `http://${tb.registry}/v2/`], { timeout: 10_000 });
  if (reg.status !== 0) return { ok: false, reason: `local registry not answering on ${tb.registry}` };
  return { ok: true, testbed: tb };
}

/** GET through Apache with a Host header: status and body. */
export async function getThroughApache(tb: Testbed, host: string): Promise<{ status: number; body: string; via: string | null }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: tb.apachePort, path: '/', headers: { host }, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, via: (res.headers.via as string) ?? null }));
    });
    req.on('error', reject);
    req.end();
  });
}

const handedOut = new Set<number>();

/**
 * A TCP port nothing listens on right now, for an app's host port. Drawn from above Linux's ephemeral
 * range (32768-60999), so a port the kernel gives out meanwhile (an outgoing connection, the agent's
 * own second-slot port) can never be it, and never the same one twice in a test process, because a
 * port handed out may not be bound until much later (a fleet's offline HDA installs last).
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 61000 + Math.floor(Math.random() * 4500);
    if (handedOut.has(port)) continue;
    if (!(await portIsFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('no free port found');
}

/** Removes what Compose made for one project (containers, networks), whatever state it is in. */
export async function removeComposeProject(docker: Docker, project: string): Promise<void> {
  const label = { label: [`com.docker.compose.project=${project}`] };
  for (const c of await docker.listContainers({ all: true, filters: label }).catch(() => []))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  for (const n of await docker.listNetworks({ filters: label }).catch(() => []))
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
}

export interface TestbedAcme {
  /** Pebble's ACME directory URL. */
  directory: string;
  /** The certificate Pebble's directory is served with (lego trusts it through LEGO_CA_CERTIFICATES). */
  directoryCa: string;
  /** Pebble's management URL of the root that signs the certificates it issues. */
  rootsUrl: string;
}

/** Pebble (Let's Encrypt's test server) as up.sh started it, or the reason it cannot be used. */
export function testbedAcme(): { ok: true; acme: TestbedAcme } | { ok: false; reason: string } {
  const env = readEnv();
  if (!env?.PEBBLE_DIRECTORY || !env.PEBBLE_CA || !env.PEBBLE_ROOTS)
    return { ok: false, reason: 'no pebble in test/testbed/.env (run: bash test/testbed/up.sh)' };
  if (spawnSync('lego', ['--version'], { timeout: 10_000 }).status !== 0) return { ok: false, reason: 'lego is not installed' };
  const dir = spawnSync('curl', ['-fsS', '-o', '/dev/null', '--cacert', env.PEBBLE_CA, env.PEBBLE_DIRECTORY], { timeout: 10_000 });
  if (dir.status !== 0) return { ok: false, reason: `pebble not answering at ${env.PEBBLE_DIRECTORY}` };
  return { ok: true, acme: { directory: env.PEBBLE_DIRECTORY, directoryCa: env.PEBBLE_CA, rootsUrl: env.PEBBLE_ROOTS } };
}

export interface TestbedMdns {
  /** The interface name avahi-daemon answers on: the host side of the test's veth must be called so. */
  iface: string;
  avahiPidFile: string;
}

/** avahi-daemon as up.sh started it (answering on MDNS_INTERFACE), or the reason it cannot be used. */
export function testbedMdns(): { ok: true; mdns: TestbedMdns } | { ok: false; reason: string } {
  const env = readEnv();
  if (!env?.MDNS_INTERFACE || !env.AVAHI_PIDFILE) return { ok: false, reason: 'no avahi in test/testbed/.env (run: bash test/testbed/up.sh)' };
  if (spawnSync('avahi-publish', ['--version'], { timeout: 10_000 }).status !== 0) return { ok: false, reason: 'avahi-utils is not installed' };
  if (spawnSync('avahi-daemon', ['--check'], { timeout: 10_000 }).status !== 0) return { ok: false, reason: 'avahi-daemon is not running' };
  return { ok: true, mdns: { iface: env.MDNS_INTERFACE, avahiPidFile: env.AVAHI_PIDFILE } };
}
