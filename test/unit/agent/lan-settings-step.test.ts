/**
 * The lan-settings step on the agent's real Apache control, install records and openssl CA, with
 * `true`/`false` as the config test (the real Apache run is test/integration/lan-settings.test.ts):
 * every app's vhost rewritten in one change, a failed config test puts every previous file back and
 * keeps the previous settings, and what was applied is kept and reported.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostParts } from '../../../agent/agent';
import { ApacheControl } from '../../../agent/apache/apache';
import { loadConfig } from '../../../agent/config';
import { lanSettingsStep } from '../../../agent/executor/lan-settings';
import { recordNames, recordVhost } from '../../../agent/executor/lan-vhosts';
import { MdnsNames } from '../../../agent/names/mdns';
import { StepFailure, type ExecutorDeps, type StepReport, type TaskWork } from '../../../agent/executor/types';
import { InstallRegistry } from '../../../agent/installs';
import { loadLanSettings } from '../../../agent/lan-settings';
import { silentLogger } from '../../../agent/log';
import type { LanSettings, TaskOf } from '../../../core/protocol';
import { commandWorks, requireOrSkip } from '../../helpers/requirements';

const haveOpenssl = requireOrSkip('openssl CLI', commandWorks('openssl', ['version']), 'not installed (test/testbed/up.sh installs it)');

let dir: string;
let deps: ExecutorDeps;
const warnings: string[] = [];
const report: StepReport = { ok: () => undefined, warn: (m) => warnings.push(m), progress: () => undefined };

function makeDeps(configtest: string[]): ExecutorDeps {
  const config = loadConfig(
    {
      'state-dir': join(dir, 'state'),
      'apps-root': join(dir, 'apps'),
      'apache-sites-dir': join(dir, 'sites'),
      'apache-log-dir': join(dir, 'logs'),
      'apache-url': 'http://127.0.0.1:18080/',
      'https-port': '18443',
      names: 'off',
    },
    {},
  );
  const { tls, names } = hostParts(config);
  const apache = new ApacheControl({ sitesDir: config.apacheSitesDir, configtest, reload: ['true'], backupDir: join(dir, 'state', 'vhost-backup') });
  const installs = new InstallRegistry(config.stateDir);
  return { config, log: silentLogger, apache, installs, tls, names, pinnedKeys: () => ({ keys: [] }) } as unknown as ExecutorDeps;
}

function app(identifier: string, port: number) {
  deps.installs.put({
    identifier,
    install_id: `inst-${identifier}`,
    hostname: `${identifier}.home.test`,
    host_port: port,
    domain: 'home.test',
    app: identifier,
    version: '1',
    app_dir: join(dir, 'apps', identifier),
    desired: 'running',
  });
  deps.apache.writeVhost(identifier, recordVhost(deps, deps.installs.get(identifier)!));
  deps.apache.commit(identifier);
}

const apply = (lan: LanSettings) =>
  lanSettingsStep.run({
    task: {
      id: 't',
      kind: 'lan-settings',
      hda_id: 'h',
      install_id: null,
      deployment_id: null,
      attempts: 1,
      lease_until: '',
      payload: { lan },
    } as TaskOf<'lan-settings'>,
    deps,
    report,
    work: {} as TaskWork,
    signal: new AbortController().signal,
  });

describe.skipIf(!haveOpenssl)('the lan-settings step', () => {
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hda-lan-step-'));
    deps = makeDeps(['true']);
    await deps.tls!.ca.ensure();
    app('alpha', 35001);
    app('beta', 35002);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("redirect on rewrites every app's vhost in one change, keeps the settings, and the next agent start uses them", async () => {
    expect(deps.apache.readVhost('alpha')).toContain('ProxyPass / http://127.0.0.1:35001/');
    const done = await apply({ names: 'off', https_redirect: true, certificates: 'ca' });
    expect(done).toBe("names: off; certificates from this HDA's CA; HTTP redirects to HTTPS");
    for (const [id, port] of [
      ['alpha', 35001],
      ['beta', 35002],
    ] as const) {
      const v = deps.apache.readVhost(id)!;
      expect(v).toContain(`Redirect permanent / https://${id}.home.test:18443/`);
      expect(v).toContain('<VirtualHost *:18443>');
      expect(v).toContain(`ProxyPass / http://127.0.0.1:${port}/`);
      expect(deps.apache.hasPendingChange(id)).toBe(false);
    }
    expect(deps.tls?.redirect).toBe(true);
    expect(loadLanSettings(deps.config.stateDir).settings).toEqual({ names: 'off', https_redirect: true, certificates: 'ca' });
    expect(hostParts(loadConfig({ 'state-dir': deps.config.stateDir, 'https-port': '18443', names: 'off' }, {})).tls?.redirect).toBe(true);
  });

  it("a failed config test puts every app's previous vhost back and keeps the previous settings", async () => {
    const before = ['alpha', 'beta'].map((id) => deps.apache.readVhost(id));
    const failing = makeDeps(['false']);
    deps = { ...failing, installs: deps.installs };
    const e = await apply({ names: 'off', https_redirect: true, certificates: 'ca' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StepFailure);
    expect((e as Error).message).toMatch(/failed Apache's config test; the previous ones were put back/);
    expect(['alpha', 'beta'].map((id) => deps.apache.readVhost(id))).toEqual(before);
    expect(loadLanSettings(deps.config.stateDir).settings).toBeNull();
    expect(deps.tls?.redirect).toBe(false);
    expect(readFileSync(join(dir, 'sites', 'hda-app-alpha.conf'), 'utf8')).not.toContain('Redirect');
  });

  it('names in dnsmasq with no address to point them at fails before anything changes', async () => {
    const before = deps.apache.readVhost('alpha');
    deps = { ...deps, config: { ...deps.config, dnsAddress: '' } };
    // No address to point the names at (as on a host where no LAN interface is found).
    const e = await apply({ names: 'dnsmasq', https_redirect: true, certificates: 'ca' }).catch((x: unknown) => x);
    expect(String(e)).toMatch(/no LAN address/);
    expect(deps.apache.readVhost('alpha')).toBe(before);
  });

  it("under mDNS every rewritten vhost answers <app>.local and its certificate and names carry it, as the install step's do", () => {
    const mdns = { ...deps, names: new MdnsNames({ address: '192.0.2.9', recordFile: join(dir, 'mdns.json'), pidFile: join(dir, 'none.pid') }) };
    const alpha = deps.installs.get('alpha')!;
    expect(recordNames(mdns, alpha)).toEqual(['alpha.home.test', 'alpha', 'alpha.local']);
    expect(recordVhost(mdns, alpha)).toMatch(/ServerAlias [^\n]*\balpha\.local\b/);
    expect(recordVhost(deps, alpha)).not.toMatch(/\.local/);
  });
});
