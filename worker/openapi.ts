/**
 * Route plumbing shared by every resource: an OpenAPIHono whose validators answer 400 with a
 * readable message, and the small response helpers the OpenAPI document is generated from.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from './context';
import { issuesMessage } from './validation-messages';
import { ApiErrorSchema as ErrorSchema } from '../core/protocol/errors';

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      return c.json({ error: 'bad_request', message: issuesMessage(result.error.issues), details: result.error.issues }, 400);
    },
  });
}

export { ApiErrorSchema as ErrorSchema } from '../core/protocol/errors';

/** A JSON response entry for createRoute. */
export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export const errorResponses = {
  400: jsonContent(ErrorSchema, 'Invalid input'),
  401: jsonContent(ErrorSchema, 'Not authenticated'),
  403: jsonContent(ErrorSchema, 'Not allowed'),
  404: jsonContent(ErrorSchema, 'Not found (or not yours)'),
  409: jsonContent(ErrorSchema, 'Conflicts with the current state'),
} as const;

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { content: { 'application/json': { schema } }, required: true } };
}

/** Answers JSON; typed loosely because the OpenAPI schemas describe, the services guarantee. */
export function send(c: Context<AppEnv>, body: unknown, status: ContentfulStatusCode = 200): never {
  return c.json(body as object, status) as never;
}

/** A loose object schema for documented responses. */
export const Obj = (name: string) => z.record(z.string(), z.unknown()).openapi(name);
