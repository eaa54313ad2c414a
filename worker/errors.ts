/** API errors: every refusal is a JSON body `{ error, message, details? }` with a 4xx status. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) => new ApiError(400, 'bad_request', message, details);
export const unauthorized = (message = 'authentication required') => new ApiError(401, 'unauthorized', message);
export const forbidden = (message = 'not allowed for your role') => new ApiError(403, 'forbidden', message);
/** Tenancy refusals are 404s too, so ids of other owners' things do not leak. */
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, details?: unknown) => new ApiError(409, 'conflict', message, details);

export function errorResponse(err: Error, c: Context): Response {
  if (err instanceof ApiError) {
    const body: Record<string, unknown> = { error: err.code, message: err.message };
    if (err.details !== undefined) body.details = err.details;
    return c.json(body, err.status);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const message = status === 400 && /JSON/i.test(err.message) ? 'malformed JSON in request body' : err.message || 'request refused';
    return c.json({ error: status === 413 ? 'payload_too_large' : 'bad_request', message }, status as ContentfulStatusCode);
  }
  // Unexpected: log the error itself server-side (never request bodies, which may hold secrets).
  console.error('internal error', err);
  return c.json({ error: 'internal', message: 'internal error' }, 500);
}
