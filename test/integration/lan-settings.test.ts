/**
 * The owner's LAN settings applied by the agent on the testbed's Apache: turning the HTTPS redirect on
 * makes every app's plain vhost answer with a permanent redirect, turning it off serves the app again;
 * switching the certificates to ACME (pebble) puts a certificate pebble issued in front of the app, and
 * a directory that cannot be reached fails the task and leaves the previous settings and vhosts in force.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../agent/executor/index';
import { collectLanHealth } from '../../agent/lan-health';
import { lanSettingsPath, loadLanSettings } from '../../agent/lan-settings';
import type { LanSettings, TaskOf } from '../../core/protocol';
import { createHarness, DOMAIN, standinCompose, task, uniqueId, version, type Harness } from '../helpers/agent-harness';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, probeTestbed, testbedAcme } from '../helpers/testbed';

const probe = probeTestbed();
const pebble = testbedAcme();
const problem = !probe.ok ? probe.reason : !probe.testbed.apacheHttpsPort ? 'the testbed Apache has no HTTPS port (run test/testbed/up.sh)' : null;
const available = requireOrSkip('agent testbed with HTTPS', problem === null, problem ?? '');

function lanTask(lan: LanSettings): TaskOf<'lan-settings'> {
  const id = `task-${uniqueId('lan')}`;
  return {
    id,
    kind: 'lan-settings',
    hda_id: 'hda-test',
    install_id: null,
    deployment_id: null,
    attempts: 1,
    lease_until: new Date(Date.now() + 300_000).toISOString(),
    payload: { lan },
  };
}

/** Status and redirect target of plain HTTP to the app through the testbed's Apache. */
function plain(port: number, host: string, path = '/'): string {
  const r = spawnSync('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', '-H', `Host: ${host}`, `http://127.0.0.1:${port}${path}`], {
    encoding: 'utf8',
  });
  return r.stdout.trim();
}

describe.skipIf(!available)("the owner's LAN settings applied on the HDA", () => {
  let h: Harness;
  let executor: Executor;
  let webroot: string;
  const id = uniqueId('lanset');
  const fqdn = `${id}.${DOMAIN}`;
  const tb = () => (probe.ok ? probe.testbed : (undefined as never));
  const apply = (lan: LanSettings) => executor.execute(lanTask(lan), new AbortController().signal);

  beforeAll(async () => {
    webroot = mkdtempSync(join(tmpdir(), 'hda-acme-webroot-'));
    chmodSync(webroot, 0o755);
    const acme: Record<string, string> = pebble.ok ? { 'acme-ca-bundle': pebble.acme.directoryCa } : {};
    h = await createHarness(tb(), { 'acme-webroot': webroot, ...acme });
    // One executor on the harness's own deps: an applied task replaces their tls and names parts.
    executor = new Executor(h.deps, h.journal, h.sender);
    const t = await task(h, 'install', id, await freePort(), version(standinCompose(tb().standinImage)));
    expect(await executor.execute(t, new AbortController().signal)).toBe('succeeded');
  });
  afterAll(async () => {
    await h?.cleanup();
    if (webroot) rmSync(webroot, { recursive: true, force: true });
  });

  it('redirect on: plain HTTP answers 301 to the HTTPS address; off: the app again', async () => {
    const https = tb().apacheHttpsPort!;
    expect(plain(tb().apachePort, fqdn)).toBe('200');
    expect(await apply({ names: 'off', https_redirect: true, certificates: 'ca' })).toBe('succeeded');
    expect(plain(tb().apachePort, fqdn, '/p?q=1')).toBe(`301 https://${fqdn}:${https}/p?q=1`);
    expect(loadLanSettings(h.config.stateDir).settings).toEqual({ names: 'off', https_redirect: true, certificates: 'ca' });
    expect((await collectLanHealth({ installs: h.deps.installs, tls: h.deps.tls })).https).toMatchObject({ certificates: 'ca', redirect: true });
    const secure = spawnSync('curl', ['-sS', '--cacert', h.deps.tls!.ca.certPath, '--resolve', `${fqdn}:${https}:127.0.0.1`, `https://${fqdn}:${https}/`], {
      encoding: 'utf8',
    });
    expect(secure.stdout).toContain(`host: ${fqdn}`);

    expect(await apply({ names: 'off', https_redirect: false, certificates: 'ca' })).toBe('succeeded');
    expect(plain(tb().apachePort, fqdn)).toBe('200');
    expect((await collectLanHealth({ installs: h.deps.installs, tls: h.deps.tls })).https?.redirect).toBe(false);
  });

  it('an ACME directory that cannot be reached fails the task with the step and reason; the previous settings and vhost stay', async () => {
    const before = h.deps.apache.readVhost(id);
    const stored = loadLanSettings(h.config.stateDir).settings;
    const t = lanTask({ names: 'off', https_redirect: true, certificates: 'acme', acme_email: 'owner@example.org', acme_directory: 'https://127.0.0.1:9/dir' });
    expect(await executor.execute(t, new AbortController().signal)).toBe('failed');
    const result = h.client.results.get(t.id)!;
    expect(result).toMatchObject({ state: 'failed', step: 'lan-settings' });
    expect(result.detail).toMatch(new RegExp(`certificates could not be switched, so the previous settings stay in force: ${id}: the ACME order`));
    expect(h.deps.apache.readVhost(id)).toBe(before);
    expect(loadLanSettings(h.config.stateDir).settings).toEqual(stored);
    expect(h.deps.tls?.source).toBe('ca');
    expect(plain(tb().apachePort, fqdn)).toBe('200');
  });

  it.skipIf(!pebble.ok)('certificates switched to ACME: Apache serves a certificate pebble issued; back to the CA, one from the CA', async () => {
    if (!pebble.ok) return;
    const https = tb().apacheHttpsPort!;
    const lan: LanSettings = {
      names: 'off',
      https_redirect: true,
      certificates: 'acme',
      acme_email: 'owner@example.org',
      acme_directory: pebble.acme.directory,
    };
    expect(await apply(lan)).toBe('succeeded');
    expect(h.deps.tls?.source).toBe('acme');
    expect(h.deps.tls!.certs.read(id)!.cert.issuer).toMatch(/Pebble/);
    // The redirect leaves the challenge path alone, and the heartbeat reports ACME without the CA.
    expect(plain(tb().apachePort, fqdn, '/p?q=1')).toBe(`301 https://${fqdn}:${https}/p?q=1`);
    const health = await collectLanHealth({ installs: h.deps.installs, tls: h.deps.tls });
    expect(health.https).toEqual({ port: https, certificates: 'acme', redirect: true });
    expect(await apply({ names: 'off', https_redirect: false, certificates: 'ca' })).toBe('succeeded');
    expect(h.deps.tls!.certs.read(id)!.cert.checkIssued(h.deps.tls!.ca.certificate()!)).toBe(true);
    expect(existsSync(lanSettingsPath(h.config.stateDir))).toBe(true);
  });
});
