/**
 * The install placeholders and the checks their values must pass before they go anywhere near a
 * compose file or an Apache vhost. Values are checked as whole values (a DNS label, a hostname, a port,
 * an absolute path) so a newline, a quote or an Apache directive can never ride in on one of them.
 */
import type { InstallVars } from '../protocol';
import { PlaceholderError } from './errors';

export const PLACEHOLDER_NAMES = ['HOST_PORT', 'APP_IDENTIFIER', 'APP_HOSTNAME', 'WEBAPP_PATH', 'HDA_DOMAIN'] as const;
export type PlaceholderName = (typeof PLACEHOLDER_NAMES)[number];

/** A placeholder as a whole word: `HOST_PORT:80` and `WEBAPP_PATH/html` match, `MY_HOST_PORT` does not. */
export const PLACEHOLDER_RE = /(?<![A-Za-z0-9_])(HOST_PORT|APP_IDENTIFIER|APP_HOSTNAME|WEBAPP_PATH|HDA_DOMAIN)(?![A-Za-z0-9_])/g;

/** Where Amahi kept an app's folder; the default for WEBAPP_PATH when the agent gives none. */
export const DEFAULT_WEBAPP_ROOT = '/var/hda/web-apps';

const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function isValidDnsLabel(s: string): boolean {
  return typeof s === 'string' && LABEL_RE.test(s);
}

export function isValidHostname(s: string): boolean {
  return typeof s === 'string' && s.length <= 253 && s.split('.').every(isValidDnsLabel);
}

/** Why `s` is unusable where a DNS name goes, in words; null when it is fine. */
export function hostnameProblem(s: unknown, labelOnly = false): string | null {
  if (typeof s !== 'string') return `must be a string, got ${typeof s}`;
  if (s.length === 0) return 'is empty';
  const bad = unsafeCharacter(s);
  if (bad) return bad;
  if (/[A-Z]/.test(s)) return 'must be lowercase';
  if (labelOnly && s.includes('.')) return 'must be a single DNS label (no dots)';
  if (s.length > 253) return 'is longer than 253 characters';
  for (const label of s.split('.')) {
    if (label.length === 0) return 'has an empty label (leading, trailing or double dot)';
    if (label.length > 63) return `has a label longer than 63 characters ("${label.slice(0, 20)}...")`;
    if (!/^[a-z0-9-]+$/.test(label)) return `label "${label}" may only contain a-z, 0-9 and "-"`;
    if (label.startsWith('-') || label.endsWith('-')) return `label "${label}" may not start or end with "-"`;
  }
  return null;
}

/** Characters that could end a YAML scalar or an Apache directive, named for the error message. */
function unsafeCharacter(s: string): string | null {
  if (/[\r\n]/.test(s)) return 'contains a newline (could inject a YAML key or an Apache directive)';
  if (/["'`]/.test(s)) return 'contains a quote';
  if (/\s/.test(s)) return 'contains whitespace';
  if (/[\x00-\x1f\x7f]/.test(s)) return 'contains a control character';
  if (/[<>{}$\\;|&#]/.test(s)) return 'contains a shell, YAML or Apache metacharacter';
  return null;
}

export function webappPathProblem(s: unknown): string | null {
  if (typeof s !== 'string') return `must be a string, got ${typeof s}`;
  const bad = unsafeCharacter(s);
  if (bad) return bad;
  if (!s.startsWith('/')) return 'must be an absolute path';
  if (s.length > 1024) return 'is longer than 1024 characters';
  if (!/^[A-Za-z0-9._/-]+$/.test(s)) return 'may only contain A-Z, a-z, 0-9, ".", "_", "-" and "/"';
  const parts = s.split('/').slice(1);
  if (parts.some((p) => p === '..' || p === '.')) return 'may not contain "." or ".." segments';
  if (parts.some((p) => p === '') && s !== '/') return 'may not contain empty segments ("//" or a trailing "/")';
  if (s === '/') return 'may not be the root directory';
  return null;
}

export function portProblem(p: unknown): string | null {
  if (typeof p !== 'number' || !Number.isInteger(p)) return `must be an integer, got ${JSON.stringify(p)}`;
  if (p < 1024 || p > 65535) return `must be between 1024 and 65535, got ${p}`;
  return null;
}

/** Throws PlaceholderError naming the first invalid value and why. */
export function validateInstallVars(vars: InstallVars): void {
  if (!vars || typeof vars !== 'object') throw new PlaceholderError('placeholder-vars', 'install variables are missing');
  const check = (rule: string, name: string, value: unknown, problem: string | null) => {
    if (problem) throw new PlaceholderError(rule, `${name} ${JSON.stringify(String(value)).slice(0, 80)} ${problem}`);
  };
  check('placeholder-port', 'HOST_PORT', vars.HOST_PORT, portProblem(vars.HOST_PORT));
  check('placeholder-identifier', 'APP_IDENTIFIER', vars.APP_IDENTIFIER, hostnameProblem(vars.APP_IDENTIFIER, true));
  check('placeholder-hostname', 'APP_HOSTNAME', vars.APP_HOSTNAME, hostnameProblem(vars.APP_HOSTNAME));
  check('placeholder-domain', 'HDA_DOMAIN', vars.HDA_DOMAIN, hostnameProblem(vars.HDA_DOMAIN));
  if (vars.WEBAPP_PATH !== undefined) check('placeholder-path', 'WEBAPP_PATH', vars.WEBAPP_PATH, webappPathProblem(vars.WEBAPP_PATH));
}

/** The string each placeholder becomes; WEBAPP_PATH defaults to Amahi's /var/hda/web-apps/<identifier>. */
export function placeholderValues(vars: InstallVars): Record<PlaceholderName, string> {
  return {
    HOST_PORT: String(vars.HOST_PORT),
    APP_IDENTIFIER: vars.APP_IDENTIFIER,
    APP_HOSTNAME: vars.APP_HOSTNAME,
    WEBAPP_PATH: vars.WEBAPP_PATH ?? `${DEFAULT_WEBAPP_ROOT}/${vars.APP_IDENTIFIER}`,
    HDA_DOMAIN: vars.HDA_DOMAIN,
  };
}

export function substitutePlaceholders(text: string, values: Record<PlaceholderName, string>): string {
  return text.replace(PLACEHOLDER_RE, (name) => values[name as PlaceholderName]);
}

/** Values used at publish time to prove a version renders; any valid values would do. */
export const SAMPLE_INSTALL_VARS: InstallVars = {
  HOST_PORT: 35001,
  APP_IDENTIFIER: 'sample-app',
  APP_HOSTNAME: 'sample-app.home.example',
  HDA_DOMAIN: 'home.example',
  WEBAPP_PATH: '/var/hda/web-apps/sample-app',
};
