/**
 * An install's place in its HDA's off-HDA backup (follows the plan, its own schedule, or left out).
 * A change re-sends the HDA's `backup-config` with every install's choice, so the agent holds one
 * complete picture; without a plan the choice is only kept, and travels with the plan when it is set.
 */
import { and, eq, isNotNull, ne } from 'drizzle-orm';
import { FOLLOWS_PLAN, type InstallBackup, type InstallBackups } from '../../core/backup/install-backup';
import type { StoredBackupPlan } from '../../core/backup/plan';
import type { PayloadOf } from '../../core/protocol';
import { installs } from '../../db/schema';
import type { Deps, Actor } from '../context';
import { atomically } from '../db';
import { conflict } from '../errors';
import { queuedTaskView } from '../views';
import { auditStatement, byUser } from './audit';
import type { HdaRow } from './hdas';
import { type InstallRow, ownedInstall } from './installs';
import { enqueue } from './queue';

/** The choices of an HDA's live installs that differ from the plan, by identifier. */
export async function installBackupsOf(deps: Deps, hdaId: string): Promise<InstallBackups> {
  const rows = await deps.db
    .select({ identifier: installs.identifier, backup: installs.backupJson })
    .from(installs)
    .where(and(eq(installs.hdaId, hdaId), ne(installs.state, 'removed'), isNotNull(installs.backupJson)));
  return Object.fromEntries(rows.flatMap((r) => (r.backup ? [[r.identifier, r.backup]] : [])));
}

function planSummary(plan: StoredBackupPlan | null) {
  return plan ? { every_hours: plan.every_hours, retention: plan.retention } : null;
}

export function installBackupView(install: InstallRow, hda: HdaRow) {
  return { backup: install.backupJson ?? FOLLOWS_PLAN, plan: planSummary(hda.backupPlanJson) };
}

/** True when the HDA can be handed its backup settings now. */
function deliverable(hda: HdaRow): hda is HdaRow & { backupPlanJson: StoredBackupPlan } {
  return !hda.revokedAt && !!hda.enrolledAt && !!hda.backupPlanJson;
}

export async function setInstallBackup(deps: Deps, user: Actor, installId: string, input: InstallBackup) {
  const { install, hda } = await ownedInstall(deps, user, installId);
  if (install.state === 'removed') throw conflict('this install has been removed');
  const now = deps.stamp();
  const stored = input.mode === 'plan' ? null : input;
  const statements = [
    deps.db.update(installs).set({ backupJson: stored, updatedAt: now }).where(eq(installs.id, install.id)),
    auditStatement(deps.db, now, { ...byUser(user), action: 'install.backup', targetKind: 'install', targetId: install.id, detail: input }),
  ] as const;
  const updated = { ...install, backupJson: stored };
  if (!deliverable(hda)) {
    await atomically(deps.db, [...statements]);
    return { ...installBackupView(updated, hda), task: null };
  }
  const apps = { ...(await installBackupsOf(deps, hda.id)) };
  if (stored) apps[install.identifier] = stored;
  else delete apps[install.identifier];
  const { updated_at: _, ...plan } = hda.backupPlanJson;
  const payload: PayloadOf<'backup-config'> = { backup: plan, apps };
  const taskId = crypto.randomUUID();
  await enqueue(deps, { id: taskId, hdaId: hda.id, installId: null, deploymentId: null, kind: 'backup-config', payload }, now, [...statements]);
  return { ...installBackupView(updated, hda), task: queuedTaskView(taskId) };
}
