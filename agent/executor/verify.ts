/** Step verify: the app version must carry a valid signature by a publisher key pinned at enrollment. */
import { verifyVersion } from '../../core/catalog/signing';
import type { JWK } from 'jose';
import { defineStep, type StepBase } from './steps';
import { StepFailure } from './types';

/** The version's signature against the pinned keys (and keys they endorse); what the step reports. */
export async function verifySignature({ work, deps, report }: StepBase): Promise<string> {
  const version = work.version;
  if (!version) throw new StepFailure('the task carries no app version to install');
  if (!work.signature) {
    if (deps.config.allowUnsigned) {
      report.warn('the version is not signed; accepted because allowUnsigned is set (development only)');
      return 'unsigned version accepted (development setting)';
    }
    throw new StepFailure(`version ${version.app} ${version.version} is not signed; the agent installs only signed versions`);
  }
  if (!deps.pinnedKeys().keys?.length) throw new StepFailure('no publisher keys were pinned at enrollment; re-enroll the agent');
  const verify = deps.verifyVersion ?? ((c, jws, jwks) => verifyVersion(c, jws, jwks as { keys: JWK[] }));
  const attempt = async () => (await verify(version, work.signature!, deps.pinnedKeys())).kid;
  try {
    return `signed by key ${await attempt()}`;
  } catch (e) {
    const rule = (e as { rule?: string }).rule;
    // A rotated catalog key: pin it if (and only if) a pinned key endorsed it, then try once more.
    if (rule === 'signature-unknown-key' && deps.refreshKeys) {
      const added = await deps.refreshKeys().catch((err: Error) => {
        report.warn(`could not fetch the catalog keys: ${err.message}`);
        return [] as string[];
      });
      if (added.length) {
        report.ok(`pinned rotated catalog key(s) ${added.join(', ')}, endorsed by a pinned key`);
        try {
          return `signed by key ${await attempt()}`;
        } catch (again) {
          const r2 = (again as { rule?: string }).rule;
          throw new StepFailure((again as Error).message, r2 ? { rule: r2 } : undefined);
        }
      }
    }
    throw new StepFailure((e as Error).message, rule ? { rule } : undefined);
  }
}

export const verifyStep = defineStep({
  name: 'verify',
  title: "Verifying the app version's signature against the pinned publisher keys",
  needs: [],
  gives: [],
  run: verifySignature,
});
