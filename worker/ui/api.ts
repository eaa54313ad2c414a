/**
 * Pages read their data through the app's own JSON API, with the visitor's session cookie, so a page
 * shows exactly what the API would show that user (same tenancy checks, same shapes, one code path).
 * The client is typed from the API's OpenAPI document: each path, its parameters and its answer.
 */
import type { Context } from 'hono';
import createClient, { type Client } from 'openapi-fetch';
import type { AppEnv } from '../context';
import type { paths } from './api-types.generated';

/** Anything that answers a Request like the Hono app does (the app itself, passed in by app.ts). */
export interface ApiFetcher {
  fetch(req: Request, env?: unknown, ctx?: unknown): Response | Promise<Response>;
}

/** JSON answers only: the routes that can also stream (text/event-stream) are read as JSON here. */
export type ApiClient = Client<paths, 'application/json'>;

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

/** The API as the visitor: their cookie on every request, answered by the app in process. */
export function pageClient(api: ApiFetcher, c: Context<AppEnv>): ApiClient {
  const headers: Record<string, string> = { accept: 'application/json' };
  const cookie = c.req.header('cookie');
  if (cookie) headers.cookie = cookie;
  return createClient<paths, 'application/json'>({
    baseUrl: new URL(c.req.url).origin,
    headers,
    fetch: async (req: Request) => api.fetch(req, c.env, executionCtx(c)),
  });
}

/** The answer of a call; a non-2xx one throws PageError with the API's message. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) {
    const message = (error as { message?: string } | undefined)?.message;
    throw new PageError(response.status, message ?? `request failed (${response.status})`);
  }
  return data;
}
