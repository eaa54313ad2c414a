/**
 * Checks real API answers against what their route declares: the response schema registered for
 * (method, path, status) in the app's OpenAPI registry, the same zod schema the document is
 * generated from. Response objects are strict, so a field the route does not declare fails as
 * surely as a missing or mistyped one; a status the route does not declare fails too.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';

interface Declared {
  method: string;
  pattern: RegExp;
  path: string;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

export interface ResponseChecker {
  /** Problems with one answer (empty when it matches its declaration, or the route is not documented). */
  check(method: string, url: string, status: number, contentType: string | null, body: unknown): string[];
  /** `METHOD /path/{param} status` of each answer checked against a declared schema. */
  readonly seen: Set<string>;
}

export function responseChecker(app: OpenAPIHono<any>): ResponseChecker {
  const routes: Declared[] = [];
  for (const d of app.openAPIRegistry.definitions) {
    if (d.type !== 'route') continue;
    const source = d.route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+');
    routes.push({
      method: d.route.method.toUpperCase(),
      path: d.route.path,
      pattern: new RegExp(`^${source}$`),
      responses: d.route.responses as Declared['responses'],
    });
  }
  const seen = new Set<string>();
  return {
    seen,
    check(method, url, status, contentType, body) {
      const path = new URL(url, 'http://localhost').pathname;
      const route = routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(path));
      if (!route) return [];
      const where = `${method.toUpperCase()} ${route.path} ${status}`;
      const declared = route.responses[String(status)];
      if (!declared) return [`${where}: status not declared`];
      if (!contentType?.includes('application/json')) return [];
      const schema = declared.content?.['application/json']?.schema as z.ZodType | undefined;
      if (!schema) return [`${where}: answered JSON the route does not declare`];
      seen.add(where);
      const result = schema.safeParse(body);
      return result.success ? [] : result.error.issues.map((i) => `${where}: ${i.path.join('.') || '(body)'}: ${i.message}`);
    },
  };
}
