/**
 * Apache is the only way in to an app's web port, on real Docker: the web port answers on the
 * loopback (where Apache proxies from) and through Apache, and refuses a connection on the host's
 * other addresses; a port the catalog entry publishes on purpose stays as published.
 */
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, getThroughApache, probeTestbed } from '../helpers/testbed';
import { createHarness, DOMAIN, run, standinCompose, task, uniqueId, version, type Harness } from '../helpers/agent-harness';

const probe = probeTestbed();
const available = requireOrSkip('agent testbed (Docker, Compose, Apache)', probe.ok, probe.ok ? '' : probe.reason);

/** The host's non-loopback IPv4 addresses: how the LAN (and Docker's bridges) see this machine. */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

/** 'open' when a TCP connection to host:port is accepted, else the error code (ECONNREFUSED ...). */
function tcpConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 5000 });
    s.once('connect', () => {
      s.destroy();
      resolve('open');
    });
    s.once('timeout', () => {
      s.destroy();
      resolve('timeout');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe.skipIf(!available)('the web port is published on the loopback only', () => {
  let h: Harness;
  const id = uniqueId('lo');
  let port: number;
  let onPurpose: number;

  beforeAll(async () => {
    if (!probe.ok) return;
    h = await createHarness(probe.testbed);
    port = await freePort();
    onPurpose = await freePort();
    const compose = standinCompose(probe.testbed.standinImage).replace(
      '      - "HOST_PORT:80"\n',
      `      - "0.0.0.0:HOST_PORT:80"\n      - "${onPurpose}:80"\n`,
    );
    expect(await run(h, await task(h, 'install', id, port, version(compose)))).toBe('succeeded');
  });
  afterAll(async () => h?.cleanup());

  it('answers through Apache and on the loopback, where Apache proxies from', async () => {
    const page = await getThroughApache(h.tb, `${id}.${DOMAIN}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Stand-in');
    expect(await tcpConnect('127.0.0.1', port)).toBe('open');
    const composeFile = readFileSync(join(h.config.stateDir, 'compose', id, 'docker-compose.yml'), 'utf8');
    expect(composeFile).toContain(`127.0.0.1:${port}:80`);
    expect(composeFile).not.toContain(`0.0.0.0:${port}`);
  });

  it("refuses the web port on the host's LAN addresses, even when the catalog wrote 0.0.0.0", async () => {
    const addrs = lanAddresses();
    expect(addrs.length).toBeGreaterThan(0);
    for (const a of addrs) expect({ a, r: await tcpConnect(a, port) }).toEqual({ a, r: 'ECONNREFUSED' });
  });

  it('keeps a port the catalog publishes on purpose as published', async () => {
    for (const a of lanAddresses()) expect({ a, r: await tcpConnect(a, onPurpose) }).toEqual({ a, r: 'open' });
  });
});
