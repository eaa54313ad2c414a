/**
 * The audit log: who did what to which thing, from where and when. Every writer goes through
 * auditStatement (batched atomically with the change it records) or recordAudit (on its own, for
 * events that change nothing else, such as a refused sign-in).
 */
import { lt } from 'drizzle-orm';
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

/** Deletes the rows older than the retention period; returns how many went. */
export async function pruneAudit(deps: Deps): Promise<number> {
  const cutoff = deps.now() - deps.config.auditRetentionDays * 24 * 3600 * 1000;
  const gone = await deps.db.delete(auditLog).where(lt(auditLog.at, cutoff)).returning({ id: auditLog.id });
  return gone.length;
}

/** AUDIT_RETENTION_DAYS as a whole number of days (1 or more); undefined keeps the default. */
export function retentionDaysSetting(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const days = Number(text);
  if (!Number.isSafeInteger(days) || days < 1) throw new Error('AUDIT_RETENTION_DAYS must be a whole number of days, 1 or more');
  return days;
}
