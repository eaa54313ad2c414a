/** The audit log, for admins: filtered, newest first, a page at a time. */
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/session';
import { createRouter, errorResponses, jsonContent, asUser } from '../openapi';
import { AuditPageSchema } from '../schemas/users';

import { listAudit } from '../services/audit-query';

export const auditRoutes = createRouter();

const DAY_MS = 24 * 3600 * 1000;

/** An ISO date-time, or a date (`until` a date means through the end of that day, UTC). */
const Instant = (endOfDay: boolean) =>
  z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((s) => {
    const ms = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
    return s.length === 10 && endOfDay ? ms + DAY_MS : ms;
  });

export const AuditQuery = z.strictObject({
  actor: z.string().trim().min(1).max(254).optional(),
  target: z.string().trim().min(1).max(200).optional(),
  action: z
    .string()
    .max(60)
    .regex(/^[a-z][a-z_]*(\.[a-z_]+)*\.?$/, 'must be an action such as auth.login, or a prefix such as auth.')
    .optional(),
  since: Instant(false).optional(),
  until: Instant(true).optional(),
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

auditRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/audit',
    tags: ['audit'],
    operationId: 'listAudit',
    summary: 'List audit entries (admins)',
    security: asUser,
    request: { query: AuditQuery },
    responses: { 200: jsonContent(AuditPageSchema, 'Audit entries, newest first; pass next_cursor as cursor for older ones'), ...errorResponses },
  }),
  async (c) => {
    requireRole(c, 'admin');
    const { entries, nextCursor } = await listAudit(c.get('deps'), c.req.valid('query'));
    return c.json({ entries, next_cursor: nextCursor === null ? null : String(nextCursor) }, 200);
  },
);
