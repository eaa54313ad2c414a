/**
 * The owner's LAN settings as this agent last applied them: <state dir>/lan-settings.json (0600),
 * validated on every read. When present they override the agent's own flags (names, HTTPS redirect,
 * certificate source and ACME account); absent, the flags decide.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LanSettingsSchema, type LanSettings } from '../core/protocol/lan-settings';
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
    const parsed = LanSettingsSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success) return { settings: parsed.data };
    return { settings: null, problem: `${path} is not valid LAN settings (${parsed.error.issues[0]?.message}); the agent's flags are used` };
  } catch (e) {
    return { settings: null, problem: `${path} cannot be read (${(e as Error).message}); the agent's flags are used` };
  }
}

export function saveLanSettings(stateDir: string, settings: LanSettings): void {
  writeJsonAtomic(lanSettingsPath(stateDir), LanSettingsSchema.parse(settings), 0o600);
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
