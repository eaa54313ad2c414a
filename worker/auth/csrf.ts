/**
 * CSRF protection for cookie sessions: a state-changing request that authenticates with the session
 * cookie must come from this origin (Origin header, or Sec-Fetch-Site: same-origin). Requests with a
 * Bearer token carry no ambient authority and pass.
 */
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../context';
import { ApiError } from '../errors';
import { SESSION_COOKIE } from './session';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export const csrfGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (SAFE.has(c.req.method) || c.req.header('authorization') || !getCookie(c, SESSION_COOKIE)) return next();
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  const self = new URL(c.req.url).origin;
  if (origin ? origin === self : site === 'same-origin') return next();
  throw new ApiError(403, 'csrf', 'cross-site request refused');
};
