/**
 * An HDA's off-HDA backup plan as the control plane holds it: schedule, retention and a label in plain
 * text, the secrets only as the box the browser sealed to the agent's key (this side cannot open it).
 * Setting a plan queues a `backup-config` task; the agent reports the backup's health with its heartbeat.
 */
import { z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import type { BackupPlanInput } from '../../core/backup/plan';
import type { BackupHealth, TaskPayload } from '../../core/protocol';
import { hdas } from '../../db/schema';
import type { Deps, SessionUser } from '../context';
import { atomically } from '../db';
import { conflict } from '../errors';
import { hdaKey } from '../waker';
import { auditStatement, byUser } from './audit';
import { ownedHda, type HdaRow } from './hdas';
import { insertTaskStatement } from './queue';

const Iso = z.string().max(40).nullable();
export const BackupHealthSchema = z.strictObject({
  repository: z.string().max(200),
  every_hours: z
    .number()
    .int()
    .min(1)
    .max(24 * 7),
  last_success_at: Iso,
  last_error: z.strictObject({ at: z.string().max(40), message: z.string().max(4000) }).nullable(),
  next_run_at: Iso,
  repository_size: z.number().min(0).nullable(),
  snapshots: z.number().int().min(0).nullable(),
  apps: z
    .array(z.strictObject({ identifier: z.string().max(100), snapshot_id: z.string().max(64), bytes: z.number().min(0), added_bytes: z.number().min(0) }))
    .max(500)
    .optional(),
});

interface StoredPlan extends BackupPlanInput {
  updated_at: string;
}

export function backupView(h: HdaRow) {
  const plan = h.backupPlanJson ? (JSON.parse(h.backupPlanJson) as StoredPlan) : null;
  return {
    // The public half only: what the browser seals the repository's secrets to.
    key: h.backupKeyJson ? JSON.parse(h.backupKeyJson) : null,
    plan: plan ? { repository_label: plan.repository_label, every_hours: plan.every_hours, retention: plan.retention, updated_at: plan.updated_at } : null,
    health: (h.backupHealthJson ? JSON.parse(h.backupHealthJson) : null) as BackupHealth | null,
  };
}

function assertReachable(hda: HdaRow): void {
  if (hda.revokedAt) throw conflict('this HDA has been revoked');
  if (!hda.enrolledAt) throw conflict(`${hda.name} has not joined yet: enroll it first`);
  if (!hda.backupKeyJson) throw conflict(`${hda.name} has not sent its backup key yet: wait for its next heartbeat (the agent must be running)`);
}

/** Stores the plan and queues the task that hands it to the agent. */
export async function setBackupPlan(deps: Deps, user: SessionUser, hdaId: string, input: BackupPlanInput) {
  const hda = await ownedHda(deps, user, hdaId);
  assertReachable(hda);
  const key = JSON.parse(hda.backupKeyJson!) as { x: string; y: string };
  if (input.sealed.epk.x === key.x && input.sealed.epk.y === key.y) throw conflict('the box is not sealed with a fresh key');
  const now = deps.stamp();
  const stored: StoredPlan = { ...input, updated_at: new Date(now).toISOString() };
  const taskId = crypto.randomUUID();
  const payload = { backup: input } as TaskPayload; // HDA-wide: no install (see TaskPayload.install)
  await atomically(deps.db, [
    deps.db
      .update(hdas)
      .set({ backupPlanJson: JSON.stringify(stored) })
      .where(eq(hdas.id, hda.id)),
    insertTaskStatement(deps, { id: taskId, hdaId: hda.id, installId: null, deploymentId: null, kind: 'backup-config', payload }, now),
    auditStatement(deps.db, now, {
      ...byUser(user),
      action: 'hda.backup_plan',
      targetKind: 'hda',
      targetId: hda.id,
      detail: { repository: input.repository_label, every_hours: input.every_hours, retention: input.retention },
    }),
  ]);
  deps.waker.notify(hdaKey(hda.id));
  return { taskId, hda: { ...hda, backupPlanJson: JSON.stringify(stored) } };
}

export async function requestBackupRun(deps: Deps, user: SessionUser, hdaId: string) {
  const hda = await ownedHda(deps, user, hdaId);
  assertReachable(hda);
  if (!hda.backupPlanJson) throw conflict('no off-HDA backup is set up for this HDA yet');
  const now = deps.stamp();
  const taskId = crypto.randomUUID();
  await atomically(deps.db, [
    insertTaskStatement(deps, { id: taskId, hdaId: hda.id, installId: null, deploymentId: null, kind: 'backup-run', payload: {} as TaskPayload }, now),
    auditStatement(deps.db, now, { ...byUser(user), action: 'hda.backup_run', targetKind: 'hda', targetId: hda.id }),
  ]);
  deps.waker.notify(hdaKey(hda.id));
  return { taskId };
}
