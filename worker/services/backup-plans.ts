/**
 * An HDA's off-HDA backup plan as the control plane holds it: schedule, retention and a label in plain
 * text, the secrets only as the box the browser sealed to the agent's key (this side cannot open it).
 * Setting a plan queues a `backup-config` task; the agent reports the backup's health with its heartbeat.
 */
import { eq } from 'drizzle-orm';
import type { BackupPlanInput, StoredBackupPlan } from '../../core/backup/plan';
import type { PayloadOf } from '../../core/protocol';
import { hdas } from '../../db/schema';
import type { Deps, Actor } from '../context';
import { conflict } from '../errors';
import { auditStatement, byUser } from './audit';
import { ownedHda, type HdaRow } from './hdas';
import { installBackupsOf } from './install-backup';
import { enqueue } from './queue';

export function backupView(h: HdaRow) {
  const plan = h.backupPlanJson;
  return {
    // The public half only: what the browser seals the repository's secrets to.
    key: h.backupKeyJson,
    plan: plan ? { repository_label: plan.repository_label, every_hours: plan.every_hours, retention: plan.retention, updated_at: plan.updated_at } : null,
    health: h.backupHealthJson,
  };
}

function assertReachable(hda: HdaRow): void {
  if (hda.revokedAt) throw conflict('this HDA has been revoked');
  if (!hda.enrolledAt) throw conflict(`${hda.name} has not joined yet: enroll it first`);
  if (!hda.backupKeyJson) throw conflict(`${hda.name} has not sent its backup key yet: wait for its next heartbeat (the agent must be running)`);
}

/** Stores the plan and queues the task that hands it to the agent. */
export async function setBackupPlan(deps: Deps, user: Actor, hdaId: string, input: BackupPlanInput) {
  const hda = await ownedHda(deps, user, hdaId);
  assertReachable(hda);
  const key = hda.backupKeyJson!;
  if (input.sealed.epk.x === key.x && input.sealed.epk.y === key.y) throw conflict('the box is not sealed with a fresh key');
  const now = deps.stamp();
  const stored: StoredBackupPlan = { ...input, updated_at: new Date(now).toISOString() };
  const taskId = crypto.randomUUID();
  const payload: PayloadOf<'backup-config'> = { backup: input, apps: await installBackupsOf(deps, hda.id) };
  await enqueue(deps, { id: taskId, hdaId: hda.id, installId: null, deploymentId: null, kind: 'backup-config', payload }, now, [
    deps.db.update(hdas).set({ backupPlanJson: stored }).where(eq(hdas.id, hda.id)),
    auditStatement(deps.db, now, {
      ...byUser(user),
      action: 'hda.backup_plan',
      targetKind: 'hda',
      targetId: hda.id,
      detail: { repository: input.repository_label, every_hours: input.every_hours, retention: input.retention },
    }),
  ]);
  return { taskId, hda: { ...hda, backupPlanJson: stored } };
}

export async function requestBackupRun(deps: Deps, user: Actor, hdaId: string) {
  const hda = await ownedHda(deps, user, hdaId);
  assertReachable(hda);
  if (!hda.backupPlanJson) throw conflict('no off-HDA backup is set up for this HDA yet');
  const now = deps.stamp();
  const taskId = crypto.randomUUID();
  await enqueue(deps, { id: taskId, hdaId: hda.id, installId: null, deploymentId: null, kind: 'backup-run', payload: {} }, now, [
    auditStatement(deps.db, now, { ...byUser(user), action: 'hda.backup_run', targetKind: 'hda', targetId: hda.id }),
  ]);
  return { taskId };
}
