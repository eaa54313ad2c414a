/** Limits, logs, metrics and image pruning: operating what runs. */
import { createRoute, z } from '@hono/zod-openapi';
import { currentUser } from '../auth/session';
import { createRouter, errorResponses, jsonBody, jsonContent, asUser } from '../openapi';
import { DeploymentTaskSchema, LogsTaskSchema, MetricsSchema, PruneTaskSchema } from '../schemas/installs';

import { ownedInstall } from '../services/installs';
import { appHistory } from '../services/metrics';
import { requestLogs, requestPrune } from '../services/operations';
import { setLimits, setPort } from '../services/reconfigure';
import { deploymentView, queuedTaskView } from '../views';
import { HostPort, Id } from '../validation';

export const operationRoutes = createRouter();

const IdParam = z.object({ id: Id });
/** Each field on its own: absent keeps the install's value, null removes that limit. */
const Limits = z
  .strictObject({
    cpus: z.number().min(0.05).max(256).nullable().optional(),
    memory_mb: z
      .number()
      .int()
      .min(6)
      .max(1024 * 1024)
      .nullable()
      .optional(),
  })
  .openapi('ResourceLimits');
const Port = z.strictObject({ host_port: HostPort }).openapi('HostPortChange');

operationRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/api/installs/{id}/limits',
    tags: ['installs'],
    operationId: 'setLimits',
    summary: "Set an install's CPU and memory limits",
    security: asUser,
    request: { params: IdParam, ...jsonBody(Limits) },
    responses: {
      202: jsonContent(DeploymentTaskSchema, 'A reconfigure task applies them to the running containers (no pull); the install records them once applied'),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { deployment, taskId } = await setLimits(c.get('deps'), currentUser(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json({ deployment: deploymentView(deployment), task: queuedTaskView(taskId) }, 202);
  },
);

operationRoutes.openapi(
  createRoute({
    method: 'put',
    path: '/api/installs/{id}/port',
    tags: ['installs'],
    operationId: 'setPort',
    summary: 'Move an install to another host port',
    security: asUser,
    request: { params: IdParam, ...jsonBody(Port) },
    responses: {
      202: jsonContent(
        DeploymentTaskSchema,
        'A reconfigure task moves the app to the port (it fails if another program holds it); the install records it once applied',
      ),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { deployment, taskId } = await setPort(c.get('deps'), currentUser(c), c.req.valid('param').id, c.req.valid('json').host_port);
    return c.json({ deployment: deploymentView(deployment), task: queuedTaskView(taskId) }, 202);
  },
);

operationRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/installs/{id}/logs',
    tags: ['installs'],
    operationId: 'requestLogs',
    summary: "Fetch an install's container logs",
    security: asUser,
    request: {
      params: IdParam,
      ...jsonBody(
        z.strictObject({ tail: z.number().int().min(1).max(5000).default(200), follow_s: z.number().int().min(0).max(600).default(0) }).openapi('LogsRequest'),
      ),
    },
    responses: {
      202: jsonContent(LogsTaskSchema, 'A logs task; follow it at /api/tasks/:id (its events carry the lines, stdout and stderr apart)'),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { taskId } = await requestLogs(c.get('deps'), currentUser(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json({ task: queuedTaskView(taskId) }, 202);
  },
);

operationRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/installs/{id}/metrics',
    tags: ['installs'],
    operationId: 'getMetrics',
    summary: "An install's CPU and memory history",
    security: asUser,
    request: {
      params: IdParam,
      query: z.object({
        hours: z.coerce
          .number()
          .int()
          .min(1)
          .max(24 * 30)
          .default(24),
      }),
    },
    responses: { 200: jsonContent(MetricsSchema, 'CPU and memory history (5-minute points up to 48 h, hourly beyond)'), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get('deps');
    const { install } = await ownedInstall(deps, currentUser(c), c.req.valid('param').id);
    return c.json(await appHistory(deps, install.hdaId, install.identifier, c.req.valid('query').hours), 200);
  },
);

operationRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/hdas/{id}/prune',
    tags: ['hdas'],
    operationId: 'pruneImages',
    summary: 'Remove unused images on an HDA',
    security: asUser,
    request: { params: IdParam },
    responses: {
      202: jsonContent(PruneTaskSchema, 'Removes images no install uses, keeping those a rollback needs; the result reports the bytes freed'),
      ...errorResponses,
    },
  }),
  async (c) => {
    const { taskId, keep } = await requestPrune(c.get('deps'), currentUser(c), c.req.valid('param').id);
    return c.json({ task: queuedTaskView(taskId), keep_images: keep }, 202);
  },
);
