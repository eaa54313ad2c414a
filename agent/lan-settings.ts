/**
 * The owner's LAN settings as this agent last applied them: <state dir>/lan-settings.json (0600),
 * validated on every read. When present they override the agent's own flags (names, HTTPS redirect,
 * certificate source and ACME account); absent, the flags decide.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LanSettings } from '../core/protocol/lan-settings';
import { lanSettingsProblems } from '../core/protocol/lan-settings-rules';
import type { AgentConfig } from './config';
import { writeJsonAtomic } from './fs-atomic';

export const LAN_SETTINGS_FILE = 'lan-settings.json';

export type StoredLanSettings = { settings: LanSettings } | { settings: null; problem?: string };

export function lanSettingsPath(stateDir: string): string {
  return join(stateDir, LAN_SETTINGS_FILE);
}

/** The stored settings; a file that does not parse is reported and ignored (the flags decide). */
export function loadLanSettings(stateDir: string): StoredLanSettings {
  const path = lanSettingsPath(stateDir);
  if (!existsSync(path)) return { settings: null };
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    const problems = lanSettingsProblems(value);
    if (problems.length === 0) return { settings: value as LanSettings };
    return { settings: null, problem: `${path} is not valid LAN settings (${problems.join('; ')}); the agent's flags are used` };
  } catch (e) {
    return { settings: null, problem: `${path} cannot be read (${(e as Error).message}); the agent's flags are used` };
  }
}

export function saveLanSettings(stateDir: string, settings: LanSettings): void {
  const problems = lanSettingsProblems(settings);
  if (problems.length) throw new Error(`not valid LAN settings: ${problems.join('; ')}`);
  writeJsonAtomic(lanSettingsPath(stateDir), settings, 0o600);
}

/** The config with the owner's settings in place of the matching flags. */
export function withLanSettings(config: AgentConfig, s: LanSettings | null): AgentConfig {
  if (!s) return config;
  return {
    ...config,
    names: s.names,
    httpsRedirect: s.https_redirect,
    tls: s.certificates,
    acmeEmail: s.acme_email ?? config.acmeEmail,
    acmeDirectory: s.acme_directory ?? config.acmeDirectory,
  };
}

/** The settings the flags amount to (what is in force before the owner chose any). */
export function lanSettingsOfConfig(config: AgentConfig): LanSettings {
  return {
    names: config.names,
    https_redirect: config.httpsRedirect,
    certificates: config.tls,
    ...(config.acmeEmail ? { acme_email: config.acmeEmail } : {}),
    ...(config.tls === 'acme' ? { acme_directory: config.acmeDirectory } : {}),
  };
}
