/**
 * Accounts after creation: an admin changes a user's role, disables or deletes them and sets a new
 * password; everyone changes their own password by giving the current one. An admin cannot lock
 * themselves out (no demoting, disabling or deleting their own account).
 */
import { count, eq } from 'drizzle-orm';
import { apps, batches, hdas, users, type Role } from '../../db/schema';
import { hashPassword, verifyPassword } from '../auth/password';
import { sessionsEndNow } from '../auth/session';
import type { Deps, Actor } from '../context';
import { atomically } from '../db';
import { badRequest, conflict, notFound } from '../errors';
import { auditStatement, byUser } from './audit';

export type UserRow = typeof users.$inferSelect;

export const userView = (u: Pick<UserRow, 'id' | 'email' | 'role' | 'createdAt' | 'disabledAt'>) => ({
  id: u.id,
  email: u.email,
  role: u.role,
  disabled: u.disabledAt != null,
  created_at: new Date(u.createdAt).toISOString(),
});

async function findUser(deps: Deps, id: string): Promise<UserRow> {
  const [u] = await deps.db.select().from(users).where(eq(users.id, id)).limit(1);
  if (!u) throw notFound('user');
  return u;
}

export async function listUsers(deps: Deps) {
  return deps.db.select().from(users).orderBy(users.email);
}

export async function updateUser(deps: Deps, admin: Actor, id: string, patch: { role?: Role; disabled?: boolean }): Promise<UserRow> {
  const user = await findUser(deps, id);
  const self = user.id === admin.id;
  if (self && patch.role && patch.role !== user.role) throw conflict('you cannot change your own role; another admin can');
  if (self && patch.disabled) throw conflict('you cannot disable your own account; another admin can');
  const now = deps.now();
  const set: Partial<UserRow> = {};
  if (patch.role) set.role = patch.role;
  if (patch.disabled !== undefined) set.disabledAt = patch.disabled ? (user.disabledAt ?? now) : null;
  if (Object.keys(set).length === 0) return user;
  await atomically(deps.db, [
    deps.db.update(users).set(set).where(eq(users.id, user.id)),
    auditStatement(deps.db, now, { ...byUser(admin), action: 'user.update', targetKind: 'user', targetId: user.id, detail: patch }),
  ]);
  return { ...user, ...set };
}

/** What still belongs to the user: it keeps them from being deleted (disable them instead). */
async function holdings(deps: Deps, id: string): Promise<string[]> {
  const [[h], [a], [b]] = await Promise.all([
    deps.db.select({ n: count() }).from(hdas).where(eq(hdas.ownerId, id)),
    deps.db.select({ n: count() }).from(apps).where(eq(apps.publisherId, id)),
    deps.db.select({ n: count() }).from(batches).where(eq(batches.ownerId, id)),
  ]);
  const out: string[] = [];
  if (h.n) out.push(`${h.n} HDA${h.n === 1 ? '' : 's'}`);
  if (a.n) out.push(`${a.n} published app${a.n === 1 ? '' : 's'}`);
  if (b.n) out.push(`${b.n} fleet deployment${b.n === 1 ? '' : 's'}`);
  return out;
}

export async function deleteUser(deps: Deps, admin: Actor, id: string): Promise<void> {
  const user = await findUser(deps, id);
  if (user.id === admin.id) throw conflict('you cannot delete your own account; another admin can');
  const held = await holdings(deps, user.id);
  if (held.length) throw conflict(`${user.email} still has ${held.join(', ')}: delete those first, or disable the account instead`);
  const now = deps.now();
  await atomically(deps.db, [
    deps.db.delete(users).where(eq(users.id, user.id)),
    auditStatement(deps.db, now, { ...byUser(admin), action: 'user.delete', targetKind: 'user', targetId: user.id, detail: { email: user.email } }),
  ]);
}

export async function setPassword(deps: Deps, admin: Actor, id: string, password: string): Promise<void> {
  const user = await findUser(deps, id);
  const now = deps.now();
  await atomically(deps.db, [
    deps.db
      .update(users)
      .set({ passwordHash: await hashPassword(password), ...sessionsEndNow(now) })
      .where(eq(users.id, user.id)),
    auditStatement(deps.db, now, { ...byUser(admin), action: 'user.password_reset', targetKind: 'user', targetId: user.id }),
  ]);
}

export async function changeOwnPassword(deps: Deps, me: Actor, current: string, next: string): Promise<void> {
  const user = await findUser(deps, me.id);
  // A wrong current password is a refused field, not a session problem: 400, never 401.
  if (!(await verifyPassword(current, user.passwordHash))) throw badRequest('Current password is not right.', { field: 'current_password' });
  if (current === next) throw badRequest('New password must differ from the current one.', { field: 'new_password' });
  const now = deps.now();
  await atomically(deps.db, [
    deps.db
      .update(users)
      .set({ passwordHash: await hashPassword(next), ...sessionsEndNow(now) })
      .where(eq(users.id, user.id)),
    auditStatement(deps.db, now, { ...byUser(me), action: 'user.password_change', targetKind: 'user', targetId: me.id }),
  ]);
}
