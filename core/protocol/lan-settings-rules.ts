/**
 * The rules of the owner's LAN settings without zod, so the agent (which loads no schema module when
 * idle) checks the settings it keeps with the same rules the API's schema (lan-settings.ts) applies.
 */
import { isNamesMode, isTlsMode, NAMES_MODES, TLS_MODES } from './lan-modes';

/** The same address rule as the agent's --acme-email flag. */
export const ACME_EMAIL = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$/;

/** An https URL without credentials or spaces (the ACME directory). */
export function isAcmeDirectory(s: string): boolean {
  if (s.length > 500 || /\s/.test(s)) return false;
  try {
    const u = new URL(s);
    return u.protocol === 'https:' && !u.username && !u.password;
  } catch {
    return false;
  }
}

export const ACME_DIRECTORY_RULE = 'must be an https URL (the ACME directory), without credentials';
export const ACME_EMAIL_NEEDED = 'is needed when certificates come from ACME (the account contact)';
const KEYS = ['names', 'https_redirect', 'certificates', 'acme_email', 'acme_directory'];

/** What is wrong with `v` as LAN settings, one sentence per field; empty when nothing is. */
export function lanSettingsProblems(v: unknown): string[] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return ['LAN settings must be an object'];
  const o = v as Record<string, unknown>;
  const out = Object.keys(o)
    .filter((k) => !KEYS.includes(k))
    .map((k) => `${k} is not a LAN setting`);
  if (typeof o.names !== 'string' || !isNamesMode(o.names)) out.push(`names must be one of ${NAMES_MODES.join(', ')}`);
  if (typeof o.https_redirect !== 'boolean') out.push('https_redirect must be true or false');
  if (typeof o.certificates !== 'string' || !isTlsMode(o.certificates)) out.push(`certificates must be one of ${TLS_MODES.join(', ')}`);
  if (o.acme_email !== undefined && (typeof o.acme_email !== 'string' || o.acme_email.length > 254 || !ACME_EMAIL.test(o.acme_email)))
    out.push('acme_email must be an email address');
  if (o.acme_directory !== undefined && (typeof o.acme_directory !== 'string' || !isAcmeDirectory(o.acme_directory)))
    out.push(`acme_directory ${ACME_DIRECTORY_RULE}`);
  if (o.certificates === 'acme' && !o.acme_email) out.push(`acme_email ${ACME_EMAIL_NEEDED}`);
  return out;
}
