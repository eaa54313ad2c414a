/** User accounts: admins create, list, edit, disable, delete and reset them; everyone changes their own password. */
import { createRoute, z } from '@hono/zod-openapi';
import { ROLES, users } from '../../db/schema';
import { hashPassword } from '../auth/password';
import { currentUser, issueSession, requireRole, setSessionCookie } from '../auth/session';
import { atomically, isUniqueViolation } from '../db';
import { conflict } from '../errors';
import { createRouter, errorResponses, jsonBody, jsonContent, asUser } from '../openapi';
import { Ok } from '../schemas/common';
import { CreatedUserSchema, PasswordChangedSchema, UpdatedUserSchema, UsersSchema } from '../schemas/users';

import { auditStatement, byUser } from '../services/audit';
import { changeOwnPassword, deleteUser, listUsers, setPassword, updateUser, userView } from '../services/users';
import { Email, Id, Password } from '../validation';

export const userRoutes = createRouter();

const NewUser = z.strictObject({ email: Email, password: Password, role: z.enum(ROLES) }).openapi('NewUser');

userRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/users',
    tags: ['users'],
    operationId: 'createUser',
    summary: 'Create a user (admins)',
    security: asUser,
    request: jsonBody(NewUser),
    responses: { 201: jsonContent(CreatedUserSchema, 'Created'), ...errorResponses },
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
    return c.json({ id: user.id, email: user.email, role: user.role, created_at: new Date(now).toISOString() }, 201);
  },
);

userRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/users',
    tags: ['users'],
    operationId: 'listUsers',
    summary: 'List users (admins)',
    security: asUser,
    responses: { 200: jsonContent(UsersSchema, 'All users'), ...errorResponses },
  }),
  async (c) => {
    requireRole(c, 'admin');
    const rows = await listUsers(c.get('deps'));
    return c.json({ users: rows.map(userView) }, 200);
  },
);

const IdParam = z.object({ id: Id });
const UserPatch = z.strictObject({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional() }).openapi('UserPatch');
const NewPassword = z.strictObject({ password: Password }).openapi('NewPassword');
const PasswordChange = z.strictObject({ current_password: z.string().min(1).max(200), new_password: Password }).openapi('PasswordChange');

userRoutes.openapi(
  createRoute({
    method: 'patch',
    path: '/api/users/{id}',
    tags: ['users'],
    operationId: 'updateUser',
    summary: "Change a user's role or disable them (admins)",
    security: asUser,
    request: { params: IdParam, ...jsonBody(UserPatch) },
    responses: { 200: jsonContent(UpdatedUserSchema, 'The user'), ...errorResponses },
  }),
  async (c) => {
    const admin = requireRole(c, 'admin');
    const user = await updateUser(c.get('deps'), admin, c.req.valid('param').id, c.req.valid('json'));
    return c.json({ user: userView(user) }, 200);
  },
);

userRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/api/users/{id}',
    tags: ['users'],
    operationId: 'deleteUser',
    summary: 'Delete a user (admins)',
    security: asUser,
    request: { params: IdParam },
    responses: { 200: jsonContent(Ok, 'The user is deleted'), ...errorResponses },
  }),
  async (c) => {
    const admin = requireRole(c, 'admin');
    await deleteUser(c.get('deps'), admin, c.req.valid('param').id);
    return c.json({ ok: true } as const, 200);
  },
);

userRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/api/users/{id}/password',
    tags: ['users'],
    operationId: 'setUserPassword',
    summary: "Set a user's password (admins)",
    security: asUser,
    request: { params: IdParam, ...jsonBody(NewPassword) },
    responses: { 200: jsonContent(Ok, 'The new password is set'), ...errorResponses },
  }),
  async (c) => {
    const admin = requireRole(c, 'admin');
    await setPassword(c.get('deps'), admin, c.req.valid('param').id, c.req.valid('json').password);
    return c.json({ ok: true } as const, 200);
  },
);

userRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/api/account/password',
    tags: ['users'],
    operationId: 'changeOwnPassword',
    summary: 'Change your password',
    security: asUser,
    request: jsonBody(PasswordChange),
    responses: { 200: jsonContent(PasswordChangedSchema, 'Your password is changed'), ...errorResponses },
  }),
  async (c) => {
    const { current_password, new_password } = c.req.valid('json');
    const deps = c.get('deps');
    const me = currentUser(c);
    await changeOwnPassword(deps, me, current_password, new_password);
    // Every other session of the account ended with the old password; this browser gets a new one.
    const session = await issueSession(deps, me);
    setSessionCookie(c, session.token);
    return c.json({ ok: true as const, token: session.token }, 200);
  },
);
