/** Agent protocol v1 (the messages are core/protocol's schemas): enroll, long-poll for tasks, report events, results, heartbeats. */
import { clientAddress } from '../auth/client-address';
import { createRoute, z } from '@hono/zod-openapi';
import {
  EnrollRequestSchema,
  EnrollResponseSchema,
  HEARTBEAT_INTERVAL_S,
  HeartbeatInputSchema,
  HeartbeatResponseSchema,
  MAX_POLL_WAIT_S,
  ReleaseResponseSchema,
  TaskEventsAckSchema,
  TaskEventsSchema,
  TaskResultAckSchema,
  TaskResultInputSchema,
  TasksResponseSchema,
} from '../../core/protocol';
import { ApiError, badRequest, unauthorized } from '../errors';
import { CHANNEL_PATH } from '../../core/protocol/channel-frames';
import { channelOpened } from '../services/presence';
import { createRouter, errorResponses, jsonBody, jsonContent, asAgent, asAnyone } from '../openapi';
import { authenticateAgent, enroll, parseAgentToken, recordHeartbeat } from '../services/hdas';
import { releaseTask } from '../services/queue';
import { pollForTasks } from '../services/queue-poll';
import { finishTask, ingestEvents } from '../services/reports';
import { Id } from '../validation';
import type { Context } from 'hono';
import type { AppEnv } from '../context';

export const agentRoutes = createRouter();

const TaskParam = z.object({ id: Id });

/** `?wait=` of a poll: whole seconds from 0 to MAX_POLL_WAIT_S, 0 when absent. */
export function pollWaitSeconds(given: string[] | undefined): number {
  if (!given) return 0;
  const raw = given.length === 1 ? given[0] : '';
  const wait = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(wait <= MAX_POLL_WAIT_S)) throw badRequest(`wait: must be a whole number of seconds from 0 to ${MAX_POLL_WAIT_S}`);
  return wait;
}

const agentAuth = async (c: Context<AppEnv>, next: () => Promise<void>) => {
  c.set('agent', await authenticateAgent(c.get('deps'), c.req.header('authorization')));
  await next();
};

agentRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/agent/v1/enroll',
    tags: ['agent'],
    operationId: 'enrollAgent',
    summary: 'Enroll an agent with a one-time code',
    security: asAnyone,
    request: jsonBody(EnrollRequestSchema),
    responses: {
      200: jsonContent(EnrollResponseSchema, 'The HDA id, its agent token and the catalog keys to pin'),
      400: errorResponses[400],
      401: errorResponses[401],
      413: errorResponses[413],
    },
  }),
  async (c) => c.json(await enroll(c.get('deps'), c.req.valid('json'), clientAddress(c, c.get('deps').config.clientAddressSource)), 200),
);

agentRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/agent/v1/tasks',
    tags: ['agent'],
    operationId: 'pollTasks',
    summary: 'Long-poll for queued tasks and claim them',
    security: asAgent,
    // Documented here, checked by pollWaitSeconds: the validator middleware (it parses every query
    // parameter into arrays, then runs zod) cost as much as the rest of an idle poll.
    parameters: [
      {
        name: 'wait',
        in: 'query',
        required: false,
        description: 'Seconds to hold the poll open when nothing is queued',
        schema: { type: 'integer', minimum: 0, maximum: MAX_POLL_WAIT_S },
      },
    ],
    responses: {
      200: jsonContent(TasksResponseSchema, 'Claimed tasks, each with a lease'),
      204: { description: 'Nothing to do within the wait' },
      401: errorResponses[401],
    },
  }),
  async (c) => {
    const deps = c.get('deps');
    const parsed = parseAgentToken(c.req.header('authorization'));
    if (!parsed) throw unauthorized('agent token required');
    const waitS = pollWaitSeconds(c.req.queries('wait'));
    const tasks = await pollForTasks(deps, { ...parsed, waitS, signal: () => c.req.raw.signal });
    if (!tasks) throw unauthorized('agent token is invalid or revoked');
    return tasks.length > 0 ? c.json({ tasks }, 200) : c.body(null, 204);
  },
);

// The HDA channel (core/protocol/channel-frames.ts). On Node the server upgrades these requests before the app sees
// them; here the Worker checks the token and hands the handshake to the HDA's channel object.
agentRoutes.get(CHANNEL_PATH, async (c) => {
  const deps = c.get('deps');
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') throw new ApiError(426, 'upgrade_required', 'this is a WebSocket: send Upgrade: websocket');
  const agent = await authenticateAgent(deps, c.req.header('authorization'));
  if (!deps.doorbell.connect) throw new ApiError(404, 'not_found', 'this control plane has no HDA channel: long-poll /agent/v1/tasks');
  const answer = await deps.doorbell.connect(agent.hdaId, c.req.raw);
  if (answer.status === 101) await channelOpened(deps, agent.hdaId);
  return answer;
});

agentRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/agent/v1/tasks/{id}/events',
    tags: ['agent'],
    operationId: 'reportTaskEvents',
    summary: 'Report progress events of a task',
    security: asAgent,
    middleware: [agentAuth] as const,
    request: { params: TaskParam, ...jsonBody(TaskEventsSchema) },
    responses: { 200: jsonContent(TaskEventsAckSchema, 'Stored (duplicates of (task, seq) are ignored)'), ...errorResponses },
  }),
  async (c) => c.json(await ingestEvents(c.get('deps'), c.get('agent').hdaId, c.req.valid('param').id, c.req.valid('json')), 200),
);

agentRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/agent/v1/tasks/{id}/result',
    tags: ['agent'],
    operationId: 'reportTaskResult',
    summary: "Report a task's result",
    security: asAgent,
    middleware: [agentAuth] as const,
    request: {
      params: TaskParam,
      ...jsonBody(TaskResultInputSchema),
    },
    responses: { 200: jsonContent(TaskResultAckSchema, 'The task, its deployment and the install are updated'), ...errorResponses },
  }),
  async (c) => c.json(await finishTask(c.get('deps'), c.get('agent').hdaId, c.req.valid('param').id, c.req.valid('json')), 200),
);

agentRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/agent/v1/tasks/{id}/release',
    tags: ['agent'],
    operationId: 'releaseTask',
    summary: 'Hand a claimed task back to the queue',
    security: asAgent,
    middleware: [agentAuth] as const,
    request: { params: TaskParam },
    responses: { 200: jsonContent(ReleaseResponseSchema, 'The task is queued again (an agent stopping before it began the work)'), ...errorResponses },
  }),
  async (c) => c.json({ released: await releaseTask(c.get('deps'), c.get('agent').hdaId, c.req.valid('param').id) }, 200),
);

agentRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/agent/v1/heartbeat',
    tags: ['agent'],
    operationId: 'sendHeartbeat',
    summary: "Report the host's facts, app states and metrics",
    security: asAgent,
    middleware: [agentAuth] as const,
    request: jsonBody(HeartbeatInputSchema),
    responses: { 200: jsonContent(HeartbeatResponseSchema, 'Recorded'), ...errorResponses },
  }),
  async (c) => {
    const deps = c.get('deps');
    await recordHeartbeat(deps, c.get('agent'), c.req.valid('json'));
    return c.json({ ok: true as const, next_heartbeat_s: HEARTBEAT_INTERVAL_S }, 200);
  },
);
