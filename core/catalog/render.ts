/**
 * Fills the install placeholders into a (normalized) compose file as YAML values: the file is parsed,
 * each string scalar (and map key) has its placeholders replaced by validated values, and the result
 * is serialized again. Nothing is pasted into YAML text, so a value can never become a new key.
 */
import type { InstallVars } from '../protocol';
import { PlaceholderError } from './errors';
import { PLACEHOLDER_RE, placeholderValues, substitutePlaceholders, validateInstallVars } from './placeholders';
import { substituteSecrets } from './secrets';
import { parseYamlBounded, stringifyCompose } from './yaml-io';

export { PlaceholderError } from './errors';
export { isValidDnsLabel, isValidHostname, validateInstallVars } from './placeholders';

/** Per-install secret values by name (DB for APP_SECRET_DB); names without a value stay as written. */
export type SecretValues = Readonly<Record<string, string>>;

export function renderCompose(compose: string, vars: InstallVars, secrets: SecretValues = {}): string {
  return stringifyCompose(renderValue(parseYamlBounded(compose).value, vars, secrets));
}

/** The same fill over a compose already read into plain values (publish's trial render needs no YAML). */
export function renderValue(value: unknown, vars: InstallVars, secrets: SecretValues = {}): unknown {
  validateInstallVars(vars);
  const values = placeholderValues(vars);
  return substituteDeep(value, (s) => substituteSecrets(substitutePlaceholders(s, values), secrets), vars.HOST_PORT, []);
}

/**
 * Fills placeholders into a non-YAML file the script writes (a Dockerfile, a PHP config), the way the
 * legacy platform did for the whole script; safe because every value passed validateInstallVars.
 */
export function renderFile(text: string, vars: InstallVars, secrets: SecretValues = {}): string {
  validateInstallVars(vars);
  return substituteSecrets(substitutePlaceholders(text, placeholderValues(vars)), secrets);
}

/** True when the text still names a placeholder. */
export function hasPlaceholder(text: string): boolean {
  PLACEHOLDER_RE.lastIndex = 0;
  const found = PLACEHOLDER_RE.test(text);
  PLACEHOLDER_RE.lastIndex = 0;
  return found;
}

function substituteDeep(v: unknown, fill: (s: string) => string, port: number, path: string[]): unknown {
  if (typeof v === 'string') {
    // A scalar that is exactly HOST_PORT becomes a number (e.g. `published: HOST_PORT`).
    if (v === 'HOST_PORT') return port;
    return fill(v);
  }
  if (Array.isArray(v)) return v.map((item, i) => substituteDeep(item, fill, port, [...path, String(i)]));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v)) {
      const key = fill(k);
      if (Object.hasOwn(out, key)) {
        throw new PlaceholderError(
          'placeholder-duplicate-key',
          `substituting placeholders makes key "${key}" appear twice under ${path.join('.') || 'the top level'}`,
        );
      }
      // defineProperty: a key named "__proto__" stays a plain key.
      Object.defineProperty(out, key, {
        value: substituteDeep(child, fill, port, [...path, key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return v;
}
