/**
 * An HDA's LAN settings as the owner chose them (names mode, HTTPS redirect, certificate source) and
 * as its agent last reported them in force. Setting them stores them on the HDA and queues the
 * `lan-settings` task that applies them; until it succeeds the heartbeat still shows the old ones.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { LanSettings, PayloadOf } from '../../core/protocol';
import { hdas, tasks } from '../../db/schema';
import type { Actor, Deps } from '../context';
import { conflict } from '../errors';
import { auditStatement, byUser } from './audit';
import { ownedHda, type HdaRow } from './hdas';
import { enqueue } from './queue';

/** What the agent's last heartbeat says is in force; null before its first LAN report. */
export function lanInForce(h: HdaRow) {
  const lan = h.lanJson;
  if (!lan) return null;
  return {
    names: lan.names.mode,
    certificates: lan.https?.certificates ?? null,
    https_redirect: lan.https?.redirect ?? null,
    https_port: lan.https?.port ?? null,
  };
}

/** The latest lan-settings task of the HDA: queued or claimed means the settings are pending. */
async function latestTask(deps: Deps, hdaId: string) {
  const [t] = await deps.db
    .select({ id: tasks.id, state: tasks.state, detail: tasks.detail, failedStep: tasks.failedStep })
    .from(tasks)
    .where(and(eq(tasks.hdaId, hdaId), eq(tasks.kind, 'lan-settings')))
    .orderBy(desc(tasks.createdAt))
    .limit(1);
  return t ? { id: t.id, state: t.state, url: `/api/tasks/${t.id}`, detail: t.detail, failed_step: t.failedStep } : null;
}

export async function lanSettingsView(deps: Deps, h: HdaRow) {
  const task = await latestTask(deps, h.id);
  return {
    ...(h.lanSettingsJson ? { settings: h.lanSettingsJson } : {}),
    in_force: lanInForce(h),
    pending: task?.state === 'queued' || task?.state === 'claimed',
    task,
  };
}

export async function getLanSettings(deps: Deps, user: Actor, hdaId: string) {
  return lanSettingsView(deps, await ownedHda(deps, user, hdaId));
}

/** Stores the settings and queues the task that applies them on the HDA. */
export async function setLanSettings(deps: Deps, user: Actor, hdaId: string, input: LanSettings) {
  const hda = await ownedHda(deps, user, hdaId);
  if (hda.revokedAt) throw conflict('this HDA has been revoked');
  if (!hda.enrolledAt) throw conflict(`${hda.name} has not joined yet: enroll it first`);
  const now = deps.stamp();
  const taskId = crypto.randomUUID();
  const payload: PayloadOf<'lan-settings'> = { lan: input };
  await enqueue(deps, { id: taskId, hdaId: hda.id, installId: null, deploymentId: null, kind: 'lan-settings', payload }, now, [
    deps.db.update(hdas).set({ lanSettingsJson: input }).where(eq(hdas.id, hda.id)),
    auditStatement(deps.db, now, {
      ...byUser(user),
      action: 'hda.lan_settings',
      targetKind: 'hda',
      targetId: hda.id,
      // The ACME contact is the owner's address: the audit records only that one is set.
      detail: { names: input.names, https_redirect: input.https_redirect, certificates: input.certificates, acme_directory: input.acme_directory ?? null },
    }),
  ]);
  return lanSettingsView(deps, { ...hda, lanSettingsJson: input });
}
