/**
 * The install's secrets for a render: the names the version lists (`secrets`) and every
 * APP_SECRET_<NAME> its compose, files and script steps use; values kept from earlier renders, new
 * names generated in memory and saved only once the render succeeded.
 */
import { secretNames } from '../../core/catalog/secrets';
import { SecretStore } from '../secrets';
import type { StepBase } from './steps';
import { StepFailure, type ExecutorDeps } from './types';

export function secretStore(deps: ExecutorDeps): SecretStore {
  return new SecretStore(deps.config.stateDir);
}

export function versionSecretNames(version: { compose: string; files?: Record<string, string>; steps?: unknown; secrets?: unknown }): string[] {
  const listed = Array.isArray(version.secrets) ? version.secrets.map(String) : [];
  return [...new Set([...listed, ...secretNames([version.compose, version.files ?? {}, version.steps ?? []])])].sort();
}

/** Fills `work.secrets` (in place: the reporter hides what it holds) and says what to save. */
export function ensureSecrets(ctx: StepBase): { names: string[]; save: () => void } {
  const { work, deps, report } = ctx;
  const store = secretStore(deps);
  let names: string[];
  try {
    names = store.fill(versionSecretNames(work.version!), work.secrets);
  } catch (e) {
    throw new StepFailure(`secrets: ${(e as Error).message}`);
  }
  return {
    names,
    save: () => {
      if (names.length === 0) return;
      try {
        store.save(work.identifier, work.secrets);
      } catch (e) {
        throw new StepFailure(`cannot keep the install's secrets: ${(e as Error).message}`);
      }
      report.ok(`generated ${names.length} secret(s) for this install: ${names.map((n) => `APP_SECRET_${n}`).join(', ')} (kept on this HDA only)`, {
        generated: names,
      });
    },
  };
}
