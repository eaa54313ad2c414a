/**
 * Browser and API sessions: an HS256 JWT (jose) carried as a Bearer token or an HttpOnly cookie.
 * Logout revokes the token's jti until it would have expired anyway.
 */
import { eq } from 'drizzle-orm';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { jwtVerify, SignJWT } from 'jose';
import type { Role } from '../../db/schema';
import { revokedSessions, users } from '../../db/schema';
import type { AppEnv, Deps, SessionUser } from '../context';
import { forbidden, unauthorized } from '../errors';
import { clientAddress } from './client-address';

export const SESSION_COOKIE = 'hda_session';
const ISSUER = 'hda-control-plane';

/** The session cookie for a token just issued (sign-in, or a password change that keeps this browser in). */
export function setSessionCookie(c: Context<AppEnv>, token: string): void {
  const deps = c.get('deps');
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    secure: deps.config.secureCookies || new URL(c.req.url).protocol === 'https:',
    sameSite: 'Lax',
    path: '/',
    maxAge: deps.config.sessionTtlS,
  });
}

/** From now on, sessions issued before this second are refused. */
export const sessionsEndNow = (now: number) => ({ sessionsValidFrom: Math.floor(now / 1000) });

export async function issueSession(deps: Deps, user: { id: string; email: string; role: Role }) {
  const jti = crypto.randomUUID();
  const nowS = Math.floor(deps.now() / 1000);
  const exp = nowS + deps.config.sessionTtlS;
  const token = await new SignJWT({ email: user.email, role: user.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setJti(jti)
    .setIssuedAt(nowS)
    .setExpirationTime(exp)
    .sign(deps.jwtSecret);
  return { token, jti, exp };
}

function tokenFrom(c: Context<AppEnv>): string | null {
  const header = c.req.header('authorization');
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    return m ? m[1] : null;
  }
  return getCookie(c, SESSION_COOKIE) ?? null;
}

/** Resolves the session, if any, from one indexed read (user joined with the revocation list). */
export async function readSession(c: Context<AppEnv>): Promise<SessionUser | null> {
  const token = tokenFrom(c);
  if (!token) return null;
  const deps = c.get('deps');
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
  try {
    ({ payload } = await jwtVerify(token, deps.jwtSecret, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      currentDate: new Date(deps.now()),
    }));
  } catch {
    return null;
  }
  if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') return null;
  const rows = await deps.db
    .select({
      id: users.id,
      email: users.email,
      role: users.role,
      disabledAt: users.disabledAt,
      validFrom: users.sessionsValidFrom,
      revoked: revokedSessions.jti,
    })
    .from(users)
    .leftJoin(revokedSessions, eq(revokedSessions.jti, payload.jti))
    .where(eq(users.id, payload.sub))
    .limit(1);
  const row = rows[0];
  if (!row || row.disabledAt || row.revoked) return null;
  if (row.validFrom !== null && (typeof payload.iat !== 'number' || payload.iat < row.validFrom)) return null;
  return {
    kind: 'user',
    id: row.id,
    email: row.email,
    role: row.role,
    jti: payload.jti,
    exp: payload.exp,
    address: clientAddress(c, deps.config.clientAddressSource),
  };
}

/** Sets `user` (or null) for every /api request; routes decide what they require. */
export const sessionMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('user', await readSession(c));
  await next();
};

export function currentUser(c: Context<AppEnv>): SessionUser {
  const user = c.get('user');
  if (!user) throw unauthorized();
  return user;
}

export function requireRole(c: Context<AppEnv>, ...roles: Role[]): SessionUser {
  const user = currentUser(c);
  if (user.role !== 'admin' && !roles.includes(user.role)) throw forbidden();
  return user;
}
