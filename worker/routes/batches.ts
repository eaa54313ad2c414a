/**
 * Fleet deployments. `GET /api/batches/:id` with `Accept: text/event-stream` streams the per-HDA
 * states as they change until the batch ends.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { desc, eq } from 'drizzle-orm';
import { streamSSE } from 'hono/streaming';
import { apps, appVersions, batches } from '../../db/schema';
import { WAIVABLE_RULES } from '../services/installs';
import { currentUser } from '../auth/session';
import type { Deps, Actor } from '../context';
import { createRouter, errorResponses, jsonBody, jsonContent, asUser } from '../openapi';
import { BatchDetailSchema, BatchesSchema } from '../schemas/fleet';

import { createBatch, ownedBatch } from '../services/batches';
import { batchKey } from '../waker';
import { Id, Slug } from '../validation';

export const batchRoutes = createRouter();

const EnvValue = z
  .string()
  .max(4000)
  .regex(/^[^\n\r\0]*$/, 'must be one line');
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be an environment variable name');
const NewBatch = z
  .strictObject({
    app: Slug,
    version: z.string().min(1).max(40).optional(),
    hdas: z.array(Id).min(1).max(1000).optional(),
    tag: Slug.optional(),
    concurrency: z.number().int().min(1).max(100).optional(),
    all_or_nothing: z.boolean().optional(),
    overrides: z.record(Id, z.strictObject({ env: z.record(EnvName, EnvValue).optional() })).optional(),
    policy_exceptions: z.array(z.enum(WAIVABLE_RULES)).max(WAIVABLE_RULES.length).optional(),
  })
  .openapi('NewBatch');

async function batchView(deps: Deps, user: Actor, id: string) {
  const { batch, items } = await ownedBatch(deps, user, id);
  const [target] = await deps.db
    .select({ slug: apps.slug, name: apps.name, version: appVersions.version })
    .from(appVersions)
    .innerJoin(apps, eq(apps.id, appVersions.appId))
    .where(eq(appVersions.id, batch.versionId));
  const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());
  return {
    batch: {
      id: batch.id,
      state: batch.state,
      app: { slug: target.slug, name: target.name },
      version: target.version,
      concurrency: batch.concurrency,
      all_or_nothing: batch.allOrNothing,
      policy_exceptions: batch.policyExceptionsJson,
      created_at: iso(batch.createdAt),
      finished_at: iso(batch.finishedAt),
    },
    items: items.map(({ item, hdaName }) => ({
      hda_id: item.hdaId,
      hda_name: hdaName,
      state: item.state,
      action: item.action,
      install_id: item.installId,
      task_id: item.taskId,
      detail: item.detail,
      updated_at: iso(item.updatedAt),
    })),
  };
}

batchRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/batches',
    tags: ['fleet'],
    operationId: 'createBatch',
    summary: 'Deploy an app version to many HDAs',
    security: asUser,
    request: jsonBody(NewBatch),
    responses: { 201: jsonContent(BatchDetailSchema, 'The batch and its per-HDA items'), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get('deps');
    const user = currentUser(c);
    const batch = await createBatch(deps, user, c.req.valid('json'));
    return c.json(await batchView(deps, user, batch.id), 201);
  },
);

batchRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/batches',
    tags: ['fleet'],
    operationId: 'listBatches',
    summary: 'List fleet deployments',
    security: asUser,
    responses: { 200: jsonContent(BatchesSchema, 'Your fleet deployments, newest first'), 401: errorResponses[401] },
  }),
  async (c) => {
    const deps = c.get('deps');
    const user = currentUser(c);
    const q = deps.db.select().from(batches);
    const rows = await (user.role === 'admin' ? q : q.where(eq(batches.ownerId, user.id))).orderBy(desc(batches.createdAt)).limit(100);
    return c.json({ batches: rows.map((b) => ({ id: b.id, state: b.state, created_at: new Date(b.createdAt).toISOString() })) }, 200);
  },
);

batchRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/batches/{id}',
    tags: ['fleet'],
    operationId: 'getBatch',
    summary: 'A fleet deployment and its per-HDA states',
    security: asUser,
    request: { params: z.object({ id: Id }) },
    responses: {
      200: {
        description: 'The batch (JSON) or its live per-HDA states (text/event-stream)',
        content: { 'application/json': { schema: BatchDetailSchema }, 'text/event-stream': { schema: z.string() } },
      },
      ...errorResponses,
    },
  }),
  async (c) => {
    const deps = c.get('deps');
    const user = currentUser(c);
    const id = c.req.valid('param').id;
    const first = await batchView(deps, user, id);
    if (!(c.req.header('accept') ?? '').includes('text/event-stream')) return c.json(first, 200);
    return streamSSE(c, async (stream) => {
      const abort = new AbortController();
      stream.onAbort(() => abort.abort());
      let view = first;
      let last = '';
      const started = Date.now();
      while (!abort.signal.aborted && Date.now() - started < 10 * 60 * 1000) {
        const text = JSON.stringify(view);
        if (text !== last) {
          last = text;
          await stream.writeSSE({ event: 'batch', data: text });
        }
        if (!['running', 'rolling_back'].includes(view.batch.state)) return;
        if (!(await deps.waker.wait(batchKey(id), 15_000, abort.signal))) await stream.write(': keep-alive\n\n');
        view = await batchView(deps, user, id);
      }
    });
  },
);
