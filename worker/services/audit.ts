/** The audit log: who did what to which thing. Returned as a statement so callers batch it atomically. */
import type { Database } from '../db';
import { auditLog } from '../../db/schema';

export interface AuditEntry {
  actorId: string | null;
  actorKind: 'user' | 'agent' | 'system';
  action: string;
  targetKind?: string;
  targetId?: string;
  detail?: unknown;
}

export function auditStatement(db: Database, at: number, entry: AuditEntry) {
  return db.insert(auditLog).values({
    actorId: entry.actorId,
    actorKind: entry.actorKind,
    action: entry.action,
    targetKind: entry.targetKind ?? null,
    targetId: entry.targetId ?? null,
    detailJson: entry.detail === undefined ? null : JSON.stringify(entry.detail),
    at,
  });
}
