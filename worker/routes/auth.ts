/** Login, logout and who-am-I. Sessions are JWTs in an HttpOnly cookie, or a Bearer token for API clients. */
import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { deleteCookie, setCookie } from 'hono/cookie';
import { revokedSessions, users } from '../../db/schema';
import { verifyPassword } from '../auth/password';
import { clientAddress } from '../auth/client-address';
import { accountLimiter, loginLimiter } from '../auth/rate-limit';
import { currentUser, issueSession, SESSION_COOKIE } from '../auth/session';
import { ApiError, unauthorized } from '../errors';
import { createRouter, errorResponses, jsonBody, jsonContent, Obj, send } from '../openapi';
import { LoginEmail } from '../validation';

export const authRoutes = createRouter();

const Login = z.strictObject({ email: LoginEmail, password: z.string().min(1).max(200) }).openapi('LoginRequest');

authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/auth/login',
    tags: ['auth'],
    request: jsonBody(Login),
    responses: { 200: jsonContent(Obj('Session'), 'Session token (also set as an HttpOnly cookie)'), 400: errorResponses[400], 401: errorResponses[401], 429: errorResponses[400] },
  }),
  async (c) => {
    const deps = c.get('deps');
    const { email, password } = c.req.valid('json');
    const ip = clientAddress(c, deps.config.clientAddressSource);
    // Per client and email, and per email from anywhere (a spread-out guesser is slowed too).
    const limited = Math.max(loginLimiter.check(`${ip}|${email}`, deps.now()), accountLimiter.check(email, deps.now()));
    if (limited) throw new ApiError(429, 'rate_limited', `too many login attempts; try again in ${limited} s`);
    const [user] = await deps.db.select().from(users).where(eq(users.email, email)).limit(1);
    // Hash even for unknown emails so response time does not reveal which accounts exist.
    const ok = await verifyPassword(password, user?.passwordHash ?? 'pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAA');
    if (!user || !ok || user.disabledAt) throw unauthorized('email or password is wrong');
    loginLimiter.reset(`${ip}|${email}`);
    const session = await issueSession(deps, user);
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      secure: deps.config.secureCookies || new URL(c.req.url).protocol === 'https:',
      sameSite: 'Lax',
      path: '/',
      maxAge: deps.config.sessionTtlS,
    });
    return send(c, { token: session.token, expires_at: new Date(session.exp * 1000).toISOString(), user: { id: user.id, email: user.email, role: user.role } });
  },
);

authRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/auth/logout',
    tags: ['auth'],
    responses: { 200: jsonContent(Obj('LoggedOut'), 'The session is revoked'), 401: errorResponses[401] },
  }),
  async (c) => {
    const deps = c.get('deps');
    const user = currentUser(c);
    await deps.db.insert(revokedSessions).values({ jti: user.jti, expiresAt: user.exp * 1000 }).onConflictDoNothing();
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return send(c, { ok: true });
  },
);

authRoutes.openapi(
  createRoute({ method: 'get', path: '/api/auth/me', tags: ['auth'], responses: { 200: jsonContent(Obj('Me'), 'The signed-in user'), 401: errorResponses[401] } }),
  (c) => {
    const user = currentUser(c);
    return send(c, { id: user.id, email: user.email, role: user.role });
  },
);
