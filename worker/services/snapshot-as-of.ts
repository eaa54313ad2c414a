/** Which snapshot holds an install's data as of one of its deployments, and what putting it back costs. */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { deployments, snapshots } from '../../db/schema';
import type { Deps } from '../context';

/** What the owner must accept before data is put back: everything written since is lost. */
export function dataLossWarning(takenAt: number): string {
  return `the app's data goes back to how it was at ${new Date(takenAt).toISOString()}; everything written since is lost (a snapshot of the data as it is now is taken first)`;
}

/**
 * The data "as of" deployment `to`: the snapshot taken before the deployment that followed it (an update
 * or rollback snapshots the data first). Undefined when there is none.
 */
export async function snapshotAsOf(deps: Deps, to: typeof deployments.$inferSelect): Promise<typeof snapshots.$inferSelect | undefined> {
  const [next] = await deps.db
    .select({ id: deployments.id })
    .from(deployments)
    .where(and(eq(deployments.installId, to.installId), gt(deployments.createdAt, to.createdAt), inArray(deployments.action, ['update', 'rollback'])))
    .orderBy(asc(deployments.createdAt), asc(deployments.id))
    .limit(1);
  if (!next) return undefined;
  const [snap] = await deps.db
    .select()
    .from(snapshots)
    .where(and(eq(snapshots.deploymentId, next.id), inArray(snapshots.reason, ['update', 'rollback'])))
    .orderBy(asc(snapshots.takenAt))
    .limit(1);
  return snap;
}
