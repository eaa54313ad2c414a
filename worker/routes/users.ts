/** User accounts: admins create them and choose their role. */
import { createRoute, z } from '@hono/zod-openapi';
import { ROLES, users } from '../../db/schema';
import { hashPassword } from '../auth/password';
import { requireRole } from '../auth/session';
import { atomically, isUniqueViolation } from '../db';
import { conflict } from '../errors';
import { createRouter, errorResponses, jsonBody, jsonContent, Obj, send } from '../openapi';
import { auditStatement, byUser } from '../services/audit';
import { Email, Password } from '../validation';

export const userRoutes = createRouter();

const NewUser = z.strictObject({ email: Email, password: Password, role: z.enum(ROLES) }).openapi('NewUser');

userRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/users',
    tags: ['users'],
    request: jsonBody(NewUser),
    responses: { 201: jsonContent(Obj('User'), 'Created'), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get('deps');
    const admin = requireRole(c, 'admin');
    const input = c.req.valid('json');
    const now = deps.stamp();
    const user = { id: crypto.randomUUID(), email: input.email, role: input.role, passwordHash: await hashPassword(input.password), createdAt: now };
    try {
      await atomically(deps.db, [
        deps.db.insert(users).values(user),
        auditStatement(deps.db, now, { ...byUser(admin), action: 'user.create', targetKind: 'user', targetId: user.id, detail: { role: user.role } }),
      ]);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(`a user with email ${input.email} already exists`);
      throw err;
    }
    return send(c, { id: user.id, email: user.email, role: user.role, created_at: new Date(now).toISOString() }, 201);
  },
);

userRoutes.openapi(
  createRoute({ method: 'get', path: '/api/users', tags: ['users'], responses: { 200: jsonContent(Obj('Users'), 'All users'), ...errorResponses } }),
  async (c) => {
    const deps = c.get('deps');
    requireRole(c, 'admin');
    const rows = await deps.db.select({ id: users.id, email: users.email, role: users.role, createdAt: users.createdAt }).from(users).orderBy(users.email);
    return send(c, { users: rows.map((u) => ({ id: u.id, email: u.email, role: u.role, created_at: new Date(u.createdAt).toISOString() })) });
  },
);
