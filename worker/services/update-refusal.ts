/** The owner's hold or skip, as the reason an update does not go ahead (manual updates and fleet deployments alike). */
import type { appVersions, installs } from '../../db/schema';

type Install = Pick<typeof installs.$inferSelect, 'updateHeld' | 'skipVersionId'>;
type Version = Pick<typeof appVersions.$inferSelect, 'id' | 'version'>;

/** Why an update of `install` to `target` is refused by its owner's choice, or null when it may go ahead. */
export function updateRefusal(install: Install, target: Version, currentVersion: string): string | null {
  if (install.updateHeld) return `held at version ${currentVersion} by its owner; release the hold to update`;
  if (install.skipVersionId === target.id) return `version ${target.version} is skipped by its owner; offer it again to update to it`;
  return null;
}
