/** Login, logout and who-am-I. Sessions are JWTs in an HttpOnly cookie, or a Bearer token for API clients. */
import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { deleteCookie } from 'hono/cookie';
import { revokedSessions, users } from '../../db/schema';
import { verifyPassword } from '../auth/password';
import { clientAddress } from '../auth/client-address';
import { currentUser, issueSession, SESSION_COOKIE, setSessionCookie } from '../auth/session';
import type { Deps } from '../context';
import { atomically } from '../db';
import { ApiError, unauthorized } from '../errors';
import { createRouter, ErrorSchema, errorResponses, jsonBody, jsonContent, asAnyone, asUser } from '../openapi';
import { Ok } from '../schemas/common';
import { MeSchema, SessionSchema } from '../schemas/users';

import { auditStatement, byUser, recordAudit } from '../services/audit';
import { Email, LoginEmail } from '../validation';

export const authRoutes = createRouter();

const Login = z.strictObject({ email: LoginEmail, password: z.string().min(1).max(200) }).openapi('LoginRequest');

/** Hashed for unknown emails too, so response time does not reveal which accounts exist. */
const NO_ACCOUNT_HASH = 'pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAA';

const tooMany = (waitMs: number) => new ApiError(429, 'rate_limited', `too many failed sign-ins; try again in ${Math.ceil(waitMs / 1000)} s`);

/** Checks the password; on a wrong one counts the failure and records it (and a delay it starts). */
async function authenticate(deps: Deps, email: string, password: string, address: string) {
  const key = { account: email, address };
  const verdict = await deps.loginThrottle.check(key, deps.now());
  if (verdict.waitMs > 0) throw tooMany(verdict.waitMs);
  const [user] = await deps.db.select().from(users).where(eq(users.email, email)).limit(1);
  const ok = await verifyPassword(password, user?.passwordHash ?? NO_ACCOUNT_HASH);
  if (user && ok && !user.disabledAt) {
    await deps.loginThrottle.succeeded(key);
    return user;
  }
  const failed = await deps.loginThrottle.failed(key, deps.now());
  // What was typed is kept only when it reads as an email: a password typed into the wrong field is not logged.
  const tried = Email.safeParse(email).success ? email : '(not an email address)';
  const target = { targetKind: 'user', targetId: user?.id, detail: { email: tried } };
  await recordAudit(deps, { actorId: null, actorKind: 'user', action: 'auth.login_failed', address, ...target });
  if (failed.startedDelay)
    await recordAudit(deps, {
      actorId: null,
      actorKind: 'user',
      action: 'auth.lockout',
      address,
      ...target,
      detail: { email: tried, wait_s: Math.ceil(failed.waitMs / 1000) },
    });
  throw unauthorized('email or password is wrong');
}

authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/auth/login',
    tags: ['auth'],
    operationId: 'login',
    summary: 'Sign in',
    security: asAnyone,
    request: jsonBody(Login),
    responses: {
      200: jsonContent(SessionSchema, 'Session token (also set as an HttpOnly cookie)'),
      400: errorResponses[400],
      401: errorResponses[401],
      403: jsonContent(ErrorSchema, "Sent by another site with this site's cookie"),
      413: errorResponses[413],
      429: jsonContent(ErrorSchema, 'Too many failed sign-ins: try again after the wait the message gives'),
    },
  }),
  async (c) => {
    const deps = c.get('deps');
    const { email, password } = c.req.valid('json');
    const address = clientAddress(c, deps.config.clientAddressSource);
    const user = await authenticate(deps, email, password, address);
    const session = await issueSession(deps, user);
    await recordAudit(deps, { ...byUser({ kind: 'user', ...user, address }), action: 'auth.login', targetKind: 'user', targetId: user.id });
    setSessionCookie(c, session.token);
    return c.json(
      { token: session.token, expires_at: new Date(session.exp * 1000).toISOString(), user: { id: user.id, email: user.email, role: user.role } },
      200,
    );
  },
);

authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/auth/logout',
    tags: ['auth'],
    operationId: 'logout',
    summary: 'Sign out (the session is revoked)',
    security: asUser,
    responses: { 200: jsonContent(Ok, 'The session is revoked'), 401: errorResponses[401], 403: errorResponses[403] },
  }),
  async (c) => {
    const deps = c.get('deps');
    const user = currentUser(c);
    await atomically(deps.db, [
      deps.db
        .insert(revokedSessions)
        .values({ jti: user.jti, expiresAt: user.exp * 1000 })
        .onConflictDoNothing(),
      auditStatement(deps.db, deps.stamp(), { ...byUser(user), action: 'auth.logout', targetKind: 'user', targetId: user.id }),
    ]);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true } as const, 200);
  },
);

authRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/auth/me',
    tags: ['auth'],
    operationId: 'getMe',
    summary: 'The signed-in user',
    security: asUser,
    responses: { 200: jsonContent(MeSchema, 'The signed-in user'), 401: errorResponses[401] },
  }),
  (c) => {
    const user = currentUser(c);
    return c.json({ id: user.id, email: user.email, role: user.role }, 200);
  },
);
