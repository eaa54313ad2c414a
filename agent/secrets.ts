/**
 * Per-install secret values (APP_SECRET_<NAME> in a version's compose and files): generated once per
 * install, kept only here, in <state>/secrets/<identifier>.json (0600), and re-used by every later
 * render (restart, update, rollback, switch). Names a newer version adds are generated; names it drops
 * are kept (a rollback may need them again). Deleted on uninstall with purge only.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecret, MAX_SECRETS } from '../core/catalog/secrets';
import { hostnameProblem } from '../core/catalog/placeholders';
import { writeJsonAtomic } from './fs-atomic';

export type SecretValues = Record<string, string>;

const NAME = /^[A-Z0-9]+(?:_[A-Z0-9]+)*$/;
const VALUE = /^[A-Za-z0-9]{16,256}$/;

export class SecretStore {
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'secrets');
  }

  private file(identifier: string): string {
    const p = hostnameProblem(identifier, true);
    if (p) throw new Error(`identifier ${JSON.stringify(identifier)} ${p}`);
    return join(this.dir, `${identifier}.json`);
  }

  /** The install's values; {} when it has none. A damaged file throws: new values would break the app's data. */
  load(identifier: string): SecretValues {
    const path = this.file(identifier);
    if (!existsSync(path)) return {};
    const raw = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${path} is not a map of secrets`);
    const out: SecretValues = {};
    for (const [k, v] of Object.entries(raw)) {
      if (!NAME.test(k) || typeof v !== 'string' || !VALUE.test(v)) throw new Error(`${path} holds an invalid entry for ${JSON.stringify(k)}`);
      out[k] = v;
    }
    return out;
  }

  /** Generates a value for each name that has none, in `values` itself; returns the names generated. */
  fill(names: readonly string[], values: SecretValues): string[] {
    const bad = names.find((n) => !NAME.test(n));
    if (bad !== undefined) throw new Error(`secret name ${JSON.stringify(bad)} must be upper-case letters and digits in _-separated words`);
    const missing = names.filter((n) => !Object.hasOwn(values, n));
    if (Object.keys(values).length + missing.length > MAX_SECRETS) throw new Error(`an install may have at most ${MAX_SECRETS} secrets`);
    for (const n of missing) values[n] = generateSecret();
    return missing;
  }

  /** Writes the install's values (0600, atomically). */
  save(identifier: string, values: Readonly<SecretValues>): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeJsonAtomic(this.file(identifier), values, 0o600);
  }

  remove(identifier: string): void {
    rmSync(this.file(identifier), { force: true });
  }
}
