/**
 * Pages read their data through the app's own JSON API, with the visitor's session cookie, so a page
 * shows exactly what the API would show that user (same tenancy checks, same shapes, one code path).
 */
import type { Context } from 'hono';
import type { AppEnv } from '../context';

/** Anything that answers a Request like the Hono app does (the app itself, passed in by app.ts). */
export interface ApiFetcher {
  fetch(req: Request, env?: unknown, ctx?: unknown): Response | Promise<Response>;
}

/** A refusal from the API that the page turns into a redirect (401) or an error page (403, 404, ...). */
export class PageError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function executionCtx(c: Context<AppEnv>): unknown {
  try {
    return c.executionCtx;
  } catch {
    return undefined; // Node: there is no execution context
  }
}

/** GETs `path` from the API as the visitor; throws PageError on any non-2xx answer. */
export async function apiGet<T>(api: ApiFetcher, c: Context<AppEnv>, path: string): Promise<T> {
  const headers = new Headers({ accept: 'application/json' });
  const cookie = c.req.header('cookie');
  if (cookie) headers.set('cookie', cookie);
  const res = await api.fetch(new Request(new URL(path, c.req.url), { headers }), c.env, executionCtx(c));
  const text = await res.text();
  let body: { message?: string } | null = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) throw new PageError(res.status, body?.message ?? `request failed (${res.status})`);
  return body as T;
}
