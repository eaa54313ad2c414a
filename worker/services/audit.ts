/**
 * The audit log: who did what to which thing, from where and when. Every writer goes through
 * auditStatement (batched atomically with the change it records) or recordAudit (on its own, for
 * events that change nothing else, such as a refused sign-in).
 */
import type { Deps, Actor } from '../context';
import type { Database } from '../db';
import { auditLog } from '../../db/schema';

export type ActorKind = (typeof auditLog.actorKind.enumValues)[number];

export interface AuditEntry {
  actorId: string | null;
  actorKind: ActorKind;
  action: string;
  targetKind?: string;
  targetId?: string;
  detail?: Record<string, unknown>;
  /** The client address the request came from. */
  address?: string;
}

/** The actor fields of an entry for a signed-in user's action. */
/** The audit fields of who acted: a user (with the address they came from), or a system job for its account. */
export function byUser(actor: Actor): Pick<AuditEntry, 'actorId' | 'actorKind' | 'address'> {
  return { actorId: actor.id, actorKind: actor.kind, address: actor.address };
}

export function auditStatement(db: Database, at: number, entry: AuditEntry) {
  return db.insert(auditLog).values({
    actorId: entry.actorId,
    actorKind: entry.actorKind,
    action: entry.action,
    targetKind: entry.targetKind ?? null,
    targetId: entry.targetId ?? null,
    detailJson: entry.detail ?? null,
    address: entry.address ?? null,
    at,
  });
}

export async function recordAudit(deps: Deps, entry: AuditEntry): Promise<void> {
  await auditStatement(deps.db, deps.stamp(), entry);
}
