/** Data snapshots of an install: list them, take one now, restore one (with confirmation). */
import { createRoute, z } from '@hono/zod-openapi';
import { currentUser } from '../auth/session';
import { createRouter, errorResponses, jsonBody, jsonContent, Obj, send } from '../openapi';
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
    tags: ['snapshots'],
    request: { params: IdParam },
    responses: { 200: jsonContent(Obj('Snapshots'), "The install's data snapshots, newest first"), ...errorResponses },
  }),
  async (c) => {
    const rows = await listSnapshots(c.get('deps'), currentUser(c), c.req.valid('param').id);
    return send(c, { snapshots: rows.map(snapshotView) });
  },
);

snapshotRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/installs/{id}/snapshots',
    tags: ['snapshots'],
    request: { params: IdParam },
    responses: { 202: jsonContent(Obj('SnapshotQueued'), 'A snapshot task is queued for the HDA'), ...errorResponses },
  }),
  async (c) => {
    const { taskId } = await takeSnapshotNow(c.get('deps'), currentUser(c), c.req.valid('param').id);
    return send(c, { task: queuedTaskView(taskId) }, 202);
  },
);

snapshotRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/installs/{id}/snapshots/{snapshot}/restore',
    tags: ['snapshots'],
    request: { params: SnapshotParam, ...jsonBody(RestoreBody) },
    responses: { 202: jsonContent(Obj('RestoreQueued'), 'A restore task is queued (400 without confirm: later data is lost)'), ...errorResponses },
  }),
  async (c) => {
    const { id, snapshot } = c.req.valid('param');
    const r = await restoreSnapshotTask(c.get('deps'), currentUser(c), id, snapshot, c.req.valid('json').confirm === true);
    return send(c, { task: queuedTaskView(r.taskId), snapshot: snapshotView(r.snapshot) }, 202);
  },
);
