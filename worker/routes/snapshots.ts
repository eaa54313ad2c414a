/** Data snapshots of an install: list them, take one now, restore one (with confirmation). */
import { createRoute, z } from '@hono/zod-openapi';
import { currentUser } from '../auth/session';
import { asUser, createRouter, errorResponses, jsonBody, jsonContent } from '../openapi';
import { RestoreQueuedSchema, SnapshotQueuedSchema, SnapshotsSchema } from '../schemas/snapshots';
import { listSnapshots, restoreSnapshotTask, snapshotView, takeSnapshotNow } from '../services/snapshots';
import { queuedTaskView } from '../views';
import { Id } from '../validation';

export const snapshotRoutes = createRouter();

const IdParam = z.object({ id: Id });
const SnapshotParam = z.object({ id: Id, snapshot: z.string().regex(/^[0-9a-f]{64}$/, 'a snapshot id (64 hex)') });
const RestoreBody = z.strictObject({ confirm: z.boolean().optional() }).openapi('RestoreSnapshot');
export type RestoreSnapshotBody = z.input<typeof RestoreBody>;

snapshotRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/installs/{id}/snapshots',
    operationId: 'listSnapshots',
    summary: "An install's data snapshots",
    security: asUser,
    tags: ['snapshots'],
    request: { params: IdParam },
    responses: { 200: jsonContent(SnapshotsSchema, "The install's data snapshots, newest first"), ...errorResponses },
  }),
  async (c) => {
    const rows = await listSnapshots(c.get('deps'), currentUser(c), c.req.valid('param').id);
    return c.json({ snapshots: rows.map(snapshotView) }, 200);
  },
);

snapshotRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/installs/{id}/snapshots',
    operationId: 'takeSnapshot',
    summary: 'Take a data snapshot now',
    security: asUser,
    tags: ['snapshots'],
    request: { params: IdParam },
    responses: { 202: jsonContent(SnapshotQueuedSchema, 'A snapshot task is queued for the HDA'), ...errorResponses },
  }),
  async (c) => {
    const { taskId } = await takeSnapshotNow(c.get('deps'), currentUser(c), c.req.valid('param').id);
    return c.json({ task: queuedTaskView(taskId) }, 202);
  },
);

snapshotRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/installs/{id}/snapshots/{snapshot}/restore',
    operationId: 'restoreSnapshot',
    summary: "Restore an install's data from a snapshot",
    security: asUser,
    tags: ['snapshots'],
    request: { params: SnapshotParam, ...jsonBody(RestoreBody) },
    responses: { 202: jsonContent(RestoreQueuedSchema, 'A restore task is queued (400 without confirm: later data is lost)'), ...errorResponses },
  }),
  async (c) => {
    const { id, snapshot } = c.req.valid('param');
    const r = await restoreSnapshotTask(c.get('deps'), currentUser(c), id, snapshot, c.req.valid('json').confirm === true);
    return c.json({ task: queuedTaskView(r.taskId), snapshot: snapshotView(r.snapshot) }, 202);
  },
);
