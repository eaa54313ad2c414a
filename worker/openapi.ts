/**
 * Route plumbing shared by every resource: an OpenAPIHono whose validators answer 400 with a
 * readable message, the error responses, and the security schemes operations name.
 */
import { OpenAPIHono, type z } from '@hono/zod-openapi';
import { SESSION_COOKIE } from './auth/session';
import type { AppEnv } from './context';
import { issuesMessage } from './validation-messages';
import { ApiErrorSchema as ErrorSchema } from '../core/protocol/errors';

export { ErrorSchema };

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      return c.json({ error: 'bad_request', message: issuesMessage(result.error.issues), details: result.error.issues }, 400);
    },
  });
}

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
  413: jsonContent(ErrorSchema, 'The request body is larger than the limit'),
} as const;

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { content: { 'application/json': { schema } }, required: true } };
}

/** How callers prove who they are; each operation names the ones it accepts. */
export const SECURITY_SCHEMES = {
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'The browser session: the HttpOnly cookie POST /api/auth/login sets (state-changing calls must come from this site)',
  },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An API client: the token POST /api/auth/login answers, as `Authorization: Bearer <token>`',
  },
  agent: {
    type: 'http',
    scheme: 'bearer',
    description: "An HDA's agent: the token POST /agent/v1/enroll answers, as `Authorization: Bearer <token>`",
  },
} as const;

type Requirement = Partial<Record<keyof typeof SECURITY_SCHEMES, string[]>>;
/** A signed-in user, by cookie or by bearer token. */
export const asUser: Requirement[] = [{ session: [] }, { bearer: [] }];
/** An enrolled agent. */
export const asAgent: Requirement[] = [{ agent: [] }];
/** Anyone. */
export const asAnyone: Requirement[] = [];

/** Adds the security schemes to the document the app serves. */
export function registerSecuritySchemes(app: OpenAPIHono<AppEnv>): void {
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) app.openAPIRegistry.registerComponent('securitySchemes', name, scheme);
}
