/**
 * The audit log: who did what to which thing, from where and when. Every writer goes through
 * auditStatement (batched atomically with the change it records) or recordAudit (on its own, for
 * events that change nothing else, such as a refused sign-in).
 */
import type { Deps, SessionUser } from '../context';
import type { Database } from '../db';
import { auditLog } from '../../db/schema';

export type ActorKind = (typeof auditLog.actorKind.enumValues)[number];

export interface AuditEntry {
  actorId: string | null;
  actorKind: ActorKind;
  action: string;
  targetKind?: string;
  targetId?: string;
  detail?: unknown;
  /** The client address the request came from. */
  address?: string;
}

/** The actor fields of an entry for a signed-in user's action. */
export function byUser(user: Pick<SessionUser, 'id' | 'address'>): Pick<AuditEntry, 'actorId' | 'actorKind' | 'address'> {
  return { actorId: user.id, actorKind: 'user', address: user.address };
}

export function auditStatement(db: Database, at: number, entry: AuditEntry) {
  return db.insert(auditLog).values({
    actorId: entry.actorId,
    actorKind: entry.actorKind,
    action: entry.action,
    targetKind: entry.targetKind ?? null,
    targetId: entry.targetId ?? null,
    detailJson: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    address: entry.address ?? null,
    at,
  });
}

export async function recordAudit(deps: Deps, entry: AuditEntry): Promise<void> {
  await auditStatement(deps.db, deps.stamp(), entry);
}
