/** Reading the audit log: filters an admin chooses, newest first, paged by a cursor (the last id seen). */
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import { auditLog, users } from '../../db/schema';
import type { Deps } from '../context';

export interface AuditFilter {
  /** A user id, an agent's HDA id, or a user's email. */
  actor?: string;
  target?: string;
  /** An action (`auth.login`), or every action under a prefix ending in a dot (`auth.`). */
  action?: string;
  since?: number;
  until?: number;
  /** Rows older than this id (the previous page's next_cursor). */
  cursor?: number;
  limit: number;
}

async function actorCondition(deps: Deps, actor: string): Promise<SQL> {
  if (!actor.includes('@')) return eq(auditLog.actorId, actor);
  const [user] = await deps.db.select({ id: users.id }).from(users).where(eq(users.email, actor.toLowerCase())).limit(1);
  return eq(auditLog.actorId, user?.id ?? '');
}

/** Actions under `prefix.`: the range from "prefix." up to "prefix/" ('/' sorts right after '.'). */
const underPrefix = (prefix: string) => and(gte(auditLog.action, prefix), lt(auditLog.action, `${prefix.slice(0, -1)}/`))!;

export async function listAudit(deps: Deps, f: AuditFilter) {
  const where: SQL[] = [];
  if (f.actor) where.push(await actorCondition(deps, f.actor));
  if (f.target) where.push(eq(auditLog.targetId, f.target));
  if (f.action) where.push(f.action.endsWith('.') ? underPrefix(f.action) : eq(auditLog.action, f.action));
  if (f.since !== undefined) where.push(gte(auditLog.at, f.since));
  if (f.until !== undefined) where.push(lt(auditLog.at, f.until));
  if (f.cursor !== undefined) where.push(lt(auditLog.id, f.cursor));
  const rows = await deps.db
    .select({ entry: auditLog, actorEmail: users.email })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(f.limit + 1);
  const page = rows.slice(0, f.limit);
  return { entries: page.map(auditView), nextCursor: rows.length > f.limit ? page[page.length - 1].entry.id : null };
}

function auditView(row: { entry: typeof auditLog.$inferSelect; actorEmail: string | null }) {
  const e = row.entry;
  return {
    id: e.id,
    at: new Date(e.at).toISOString(),
    action: e.action,
    actor: { kind: e.actorKind, id: e.actorId, email: row.actorEmail },
    target: e.targetKind || e.targetId ? { kind: e.targetKind, id: e.targetId } : null,
    address: e.address,
    detail: e.detailJson ?? null,
  };
}

export type AuditView = ReturnType<typeof auditView>;
