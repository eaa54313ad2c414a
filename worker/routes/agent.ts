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
  type ClaimedTask,
} from '../../core/protocol';
import { badRequest, unauthorized } from '../errors';
import { createRouter, errorResponses, jsonBody, jsonContent, asAgent, asAnyone } from '../openapi';
import { authenticateAgent, enroll, parseAgentToken, recordHeartbeat } from '../services/hdas';
import { claimTask, isClaimable, pollCheck, releaseTask, touchLastSeen } from '../services/queue';
import { finishTask, ingestEvents } from '../services/reports';
import { hdaKey } from '../waker';
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
    const deadline = deps.now() + pollWaitSeconds(c.req.queries('wait')) * 1000;
    // Only a poll that will wait needs to hear a client going away (and on Node, reading the raw
    // request's signal builds a full Request: the idle answer skips it).
    let abort: AbortController | null = null;
    let touched = false;
    // A claim lost to another poll (or a task failed for too many attempts) means "look again at
    // once", but only a few times in a row: after that the poll waits a moment like any other, so a
    // claim that keeps failing can never turn this loop into a busy one past its deadline.
    let quickLooks = 0;
    for (;;) {
      const check = await pollCheck(deps, parsed.hdaId, parsed.token);
      if (!check.authorized) throw unauthorized('agent token is invalid or revoked');
      if (!touched) {
        touched = true;
        if (await touchLastSeen(deps, parsed.hdaId, check.lastSeenAt)) continue; // back from offline: look again
      }
      const claimed: ClaimedTask[] = [];
      for (const open of [check.task, check.aux]) {
        if (!open || !isClaimable(open, deps.now())) continue;
        const task = await claimTask(deps, parsed.hdaId, open.id, open.attempts);
        if (task) claimed.push(task);
      }
      if (claimed.length > 0) {
        // Before this poll waited there is no listener: ask the request itself (claims are rare).
        if (abort ? abort.signal.aborted : c.req.raw.signal?.aborted) {
          // The agent left between the wake-up and the claim: hand the tasks back rather than leave
          // them claimed by nobody until their lease runs out.
          for (const t of claimed) await releaseTask(deps, parsed.hdaId, t.id);
          return c.body(null, 204);
        }
        return c.json({ tasks: claimed }, 200);
      }
      const lookAgain = isClaimable(check.task, deps.now()) || isClaimable(check.aux, deps.now());
      if (lookAgain && quickLooks++ < 3) continue; // lost a race or failed a task: look again
      const left = deadline - deps.now();
      // A live lease ends at a known time: wake up then even if nobody notifies.
      const leaseLeft = lookAgain ? 50 : check.task?.leaseUntil ? check.task.leaseUntil - deps.now() + 5 : Infinity;
      if (left <= 0 || abort?.signal.aborted) return c.body(null, 204);
      if (!abort) {
        const controller = new AbortController();
        abort = controller;
        // An agent that left before this point has a signal aborted already, whose abort event
        // has fired: a listener alone would never hear it and the poll would wait on for nobody.
        const request = c.req.raw.signal;
        if (request?.aborted) controller.abort();
        else request?.addEventListener('abort', () => controller.abort(), { once: true });
      }
      await deps.waker.wait(hdaKey(parsed.hdaId), Math.min(left, leaseLeft), abort.signal);
      // The agent gave up this poll while it waited (it does so whenever its main task ends): a
      // claim now would go to nobody and the task would sit claimed for a whole lease.
      if (abort.signal.aborted) return c.body(null, 204);
    }
  },
);

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
