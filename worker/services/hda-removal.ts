/**
 * Deleting an HDA from the control plane. Its agent token stops working at once; its installs, their
 * history, queued tasks and metrics are removed from here; the apps on the machine are left as they
 * are (running ones keep running): uninstall them first to remove them from the machine too.
 */
import { eq, inArray } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { appMetrics, batchItems, deployments, hdas, installs, snapshots, taskEvents, tasks } from '../../db/schema';
import type { Deps, Actor } from '../context';
import { atomically } from '../db';
import { auditStatement, byUser } from './audit';
import { ownedHda } from './hdas';
import { hangUpHda } from './queue';

export async function deleteHda(deps: Deps, user: Actor, hdaId: string): Promise<{ installs: number }> {
  const hda = await ownedHda(deps, user, hdaId);
  const installIds = (await deps.db.select({ id: installs.id }).from(installs).where(eq(installs.hdaId, hda.id))).map((r) => r.id);
  const taskIds = (await deps.db.select({ id: tasks.id }).from(tasks).where(eq(tasks.hdaId, hda.id))).map((r) => r.id);
  const live = (await deps.db.select({ id: installs.id, state: installs.state }).from(installs).where(eq(installs.hdaId, hda.id))).filter(
    (i) => i.state !== 'removed',
  ).length;
  const now = deps.now();
  const statements: BatchItem<'sqlite'>[] = [];
  // Children first: every row that names the HDA, its tasks or its installs goes with it.
  if (taskIds.length) statements.push(deps.db.delete(taskEvents).where(inArray(taskEvents.taskId, taskIds)));
  statements.push(
    deps.db.delete(tasks).where(eq(tasks.hdaId, hda.id)),
    deps.db.delete(snapshots).where(inArray(snapshots.installId, deps.db.select({ id: installs.id }).from(installs).where(eq(installs.hdaId, hda.id)))),
    deps.db.delete(batchItems).where(eq(batchItems.hdaId, hda.id)),
    // Installs and their deployments name each other: unhook the install before its deployments go.
    deps.db.update(installs).set({ currentDeploymentId: null }).where(eq(installs.hdaId, hda.id)),
  );
  if (installIds.length) statements.push(deps.db.delete(deployments).where(inArray(deployments.installId, installIds)));
  statements.push(
    deps.db.delete(installs).where(eq(installs.hdaId, hda.id)),
    deps.db.delete(appMetrics).where(eq(appMetrics.hdaId, hda.id)),
    deps.db.delete(hdas).where(eq(hdas.id, hda.id)),
    auditStatement(deps.db, now, { ...byUser(user), action: 'hda.delete', targetKind: 'hda', targetId: hda.id, detail: { name: hda.name, installs: live } }),
  );
  await atomically(deps.db, statements);
  deps.idleHdas?.delete(hda.id); // a remembered idle answer must not outlive the token
  await hangUpHda(deps, hda.id); // waiting polls re-check and get 401
  return { installs: live };
}
