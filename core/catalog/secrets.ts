/**
 * Per-install secrets: a publisher writes `APP_SECRET_<NAME>` where a secret goes, alone or inside a
 * string (`postgres://app:APP_SECRET_DB@db/app`). The agent generates each value once per install,
 * keeps it on the HDA only, and substitutes it at render; everything sent off the HDA keeps the name.
 */

/** NAME: upper-case letters and digits in `_`-separated words, e.g. APP_SECRET_DB, APP_SECRET_ADMIN_KEY. */
export const SECRET_PLACEHOLDER_RE = /(?<![A-Za-z0-9_])APP_SECRET_([A-Z0-9]+(?:_[A-Z0-9]+)*)(?![A-Za-z0-9_])/g;
export const MAX_SECRETS = 32;
/** Letters and digits only: safe unquoted in YAML, URLs, env files and shell words. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const SECRET_LENGTH = 32;

/** The secret names (`DB` for APP_SECRET_DB) used anywhere in a JSON value or text, sorted, once each. */
export function secretNames(value: unknown): string[] {
  const names = new Set<string>();
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') for (const m of v.matchAll(SECRET_PLACEHOLDER_RE)) names.add(m[1]);
    else if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) stack.push(k, x);
  }
  return [...names].sort();
}

/** Replaces each APP_SECRET_<NAME> whose value is given; names without a value stay as they are. */
export function substituteSecrets(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(SECRET_PLACEHOLDER_RE, (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : whole));
}

/** A new secret value: SECRET_LENGTH characters from a 62-letter alphabet (about 190 bits). */
export function generateSecret(): string {
  const out: string[] = [];
  const bytes = new Uint8Array(64);
  while (out.length < SECRET_LENGTH) {
    crypto.getRandomValues(bytes);
    // 248 = 4 * 62: rejecting the rest keeps every letter equally likely.
    for (const b of bytes) if (b < 248 && out.length < SECRET_LENGTH) out.push(ALPHABET[b % 62]);
  }
  return out.join('');
}

/** Sample values for a trial render at publish: distinct, recognisable, never used on an HDA. */
export function sampleSecrets(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, `sample${n.replace(/_/g, '').toLowerCase()}secret`]));
}
