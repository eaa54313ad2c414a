/** The owner's LAN settings kept by the agent: 0600 JSON in its state dir, validated on read, over its flags. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostParts } from '../../../agent/agent';
import { loadConfig } from '../../../agent/config';
import { LanNames } from '../../../agent/names/dnsmasq';
import { lanSettingsOfConfig, lanSettingsPath, loadLanSettings, saveLanSettings, withLanSettings } from '../../../agent/lan-settings';
import { LanSettingsSchema, type LanSettings } from '../../../core/protocol';
import { lanSettingsProblems } from '../../../core/protocol/lan-settings-rules';

let stateDir: string;
const flags = (over: Record<string, string> = {}) =>
  loadConfig({ 'state-dir': stateDir, 'https-port': '8443', names: 'off', 'dns-address': '192.0.2.9', 'dns-hosts-dir': join(stateDir, 'hosts'), ...over }, {});
const ACME: LanSettings = {
  names: 'dnsmasq',
  https_redirect: true,
  certificates: 'acme',
  acme_email: 'me@example.com',
  acme_directory: 'https://acme.example.com/dir',
};

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'hda-lan-settings-'));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

describe('stored LAN settings', () => {
  it('none stored: the flags decide', () => {
    expect(loadLanSettings(stateDir)).toEqual({ settings: null });
    const cfg = flags({ 'https-redirect': 'true' });
    expect(withLanSettings(cfg, null)).toBe(cfg);
    expect(lanSettingsOfConfig(cfg)).toEqual({ names: 'off', https_redirect: true, certificates: 'ca' });
  });

  it('kept 0600 and read back; they override the flags', () => {
    saveLanSettings(stateDir, ACME);
    expect(statSync(lanSettingsPath(stateDir)).mode & 0o777).toBe(0o600);
    const loaded = loadLanSettings(stateDir);
    expect(loaded).toEqual({ settings: ACME });
    const cfg = withLanSettings(flags(), loaded.settings);
    expect(cfg).toMatchObject({
      names: 'dnsmasq',
      httpsRedirect: true,
      tls: 'acme',
      acmeEmail: 'me@example.com',
      acmeDirectory: 'https://acme.example.com/dir',
    });
    expect(lanSettingsOfConfig(cfg)).toEqual(ACME);
  });

  it("the agent's parts are built from them: ACME certificates, redirect, names in dnsmasq", () => {
    saveLanSettings(stateDir, ACME);
    const parts = hostParts(flags());
    expect(parts.config.names).toBe('dnsmasq');
    expect(parts.tls).toMatchObject({ source: 'acme', redirect: true, port: 8443 });
    expect(parts.names).toBeInstanceOf(LanNames);
    expect((parts.names as LanNames).o.address).toBe('192.0.2.9');
    expect(parts.settingsProblem).toBeUndefined();
  });

  it('a file that is not valid settings is ignored with the reason, and the flags decide', () => {
    writeFileSync(lanSettingsPath(stateDir), JSON.stringify({ ...ACME, names: 'carrier-pigeon' }), { mode: 0o600 });
    const bad = loadLanSettings(stateDir);
    expect(bad.settings).toBeNull();
    expect('problem' in bad && bad.problem).toMatch(/is not valid LAN settings.*the agent's flags are used/);
    const parts = hostParts(flags());
    expect(parts.config.names).toBe('off');
    expect(parts.tls?.source).toBe('ca');
    expect(parts.settingsProblem).toMatch(/not valid/);
    writeFileSync(lanSettingsPath(stateDir), '{ not json');
    expect(loadLanSettings(stateDir)).toMatchObject({ settings: null, problem: expect.stringMatching(/cannot be read/) });
  });

  it('refuses to keep settings that do not validate (nothing written)', () => {
    expect(() => saveLanSettings(stateDir, { ...ACME, acme_directory: 'http://plain.example.com/' })).toThrow();
    expect(() => readFileSync(lanSettingsPath(stateDir))).toThrow();
  });
});

describe("the agent's check and the API's schema agree", () => {
  const samples: unknown[] = [
    ACME,
    { names: 'off', https_redirect: false, certificates: 'ca' },
    { names: 'off', https_redirect: false, certificates: 'acme' },
    { names: 'off', https_redirect: 'no', certificates: 'ca' },
    { names: 'dns', https_redirect: false, certificates: 'ca' },
    { ...ACME, acme_directory: 'http://acme.example.com/' },
    { ...ACME, acme_directory: 'https://user:pw@acme.example.com/' },
    { ...ACME, acme_email: 'not an address' },
    { ...ACME, extra: 1 },
    [],
    null,
  ];
  it.each(samples.map((s) => [JSON.stringify(s), s]))('%s', (_, s) => {
    expect(lanSettingsProblems(s).length === 0).toBe(LanSettingsSchema.safeParse(s).success);
  });
});
