/**
 * The 40 CasaOS app-store files, mapped as a publisher would (casaos-data.ts), through the publish
 * pipeline: each normalizes, or is refused with named rules of the table; none crashes, and whatever
 * is stored reads back through the strict model (no unknown key, no extension passed through).
 */
import { describe, expect, it } from 'vitest';
import { normalizeVersion } from '../../../core/catalog/normalize';
import { POLICY_RULES } from '../../../core/catalog/policy';
import { readCompose } from '../../../core/compose/model';
import { casaosApps, mapCasaos } from './casaos-data';

/** Status and blocking rules per app. variable-interpolation: the store's $TZ/$PUID/$PGID, left as the mapping leaves them. */
const EXPECTED: Record<string, string> = {
  '2FAuth': 'ready',
  AlbyHub: 'rejected: variable-interpolation',
  AnythingLLM: 'needs_review: bind-outside-app cap-add',
  Bazarr: 'needs_review: bind-outside-app',
  'ChatGPT-Next-Web': 'rejected: variable-interpolation',
  ConvertX: 'ready',
  Databag: 'needs_review: bind-outside-app',
  Deluge: 'rejected: bind-outside-app variable-interpolation',
  DuckDNS: 'needs_review: bind-outside-app host-network no-host-port',
  Emby_Nvidia: 'rejected: bind-outside-app devices gpus variable-interpolation',
  Excalidraw: 'ready',
  FlareSolverr: 'rejected: variable-interpolation',
  Gitea: 'needs_review: low-host-port',
  Handbrake: 'needs_review: bind-outside-app privileged',
  Homebridge: 'needs_review: host-network no-host-port',
  'Index-TTS_Nvidia': 'needs_review: gpus',
  Jellyfin_Nvidia: 'rejected: bind-outside-app devices gpus variable-interpolation',
  Kavita: 'rejected: bind-outside-app variable-interpolation',
  LangFlow: 'ready',
  Linkwarden: 'rejected: variable-interpolation',
  MariaDB: 'rejected: bind-outside-app no-host-port variable-interpolation',
  MineOS: 'needs_review: bind-outside-app',
  Motioneye: 'needs_review: bind-outside-app',
  Navidrome: 'rejected: bind-outside-app variable-interpolation',
  NginxProxyManager: 'needs_review: low-host-port',
  Ollama: 'ready',
  OpenHAB: 'rejected: host-network no-host-port variable-interpolation',
  OpenWebUI: 'rejected: bind-outside-app host-ipc runtime',
  Petio: 'rejected: bind-outside-app variable-interpolation',
  'Pingvin-Share': 'ready',
  Portainer: 'needs_review: docker-socket',
  PyLoad: 'rejected: bind-outside-app variable-interpolation',
  Readarr: 'rejected: bind-outside-app variable-interpolation',
  Sabnzbd: 'needs_review: bind-outside-app',
  Snapdrop: 'rejected: low-host-port variable-interpolation',
  Sure: 'rejected: variable-interpolation',
  TaskingAI: 'needs_review: no-host-port',
  Transmission: 'needs_review: bind-outside-app',
  'Unifi-Network-Application': 'rejected: bind-outside-app variable-interpolation',
  Vaultwarden: 'ready',
};

const apps = casaosApps();

describe('CasaOS app-store files through the publish pipeline', () => {
  it('has the 40 files', () => expect(apps.map((a) => a.name)).toEqual(Object.keys(EXPECTED).sort()));

  it.each(apps.map((a) => [a.name, a] as const))('%s', (name, a) => {
    const r = normalizeVersion({ app: name.toLowerCase(), version: '1', kind: 'container', compose: mapCasaos(a.text) });
    const blocking = r.findings.filter((f) => f.severity === 'error' || f.severity === 'review');
    for (const f of blocking) {
      expect(POLICY_RULES, f.message).toContain(f.rule);
      expect(f.line ?? (f.rule === 'no-host-port' ? 1 : 0), f.message).toBeGreaterThan(0);
    }
    const rules = [...new Set(blocking.map((f) => f.rule))].sort();
    expect(`${r.status}${rules.length ? `: ${rules.join(' ')}` : ''}`).toBe(EXPECTED[name]);
    expect(rules).not.toContain('unknown-key');
    expect(r.content.compose).not.toMatch(/x-casaos|container_name/);
    expect(readCompose(r.content.compose).ok).toBe(true);
    // The store's fixed container names became aliases (the file has one per service here).
    expect(r.findings.some((f) => f.rule === 'fixed-container-name')).toBe(/container_name:/.test(a.text));
  });
});
