/**
 * A task's state and events. With `Accept: text/event-stream` the same URL streams the events live
 * (Server-Sent Events) until the task ends; `Last-Event-ID` resumes after a reconnect.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, gt } from 'drizzle-orm';
import { streamSSE } from 'hono/streaming';
import { FINAL_TASK_STATES, isOneOf } from '../../core/protocol';
import { taskEvents, tasks } from '../../db/schema';
import { currentUser } from '../auth/session';
import type { Deps, Actor } from '../context';
import { createRouter, errorResponses, jsonContent, asUser } from '../openapi';
import { CancelledTaskSchema, TaskDetailSchema } from '../schemas/tasks';

import { cancelTask, ownedTask } from '../services/task-cancel';
import { eventView, taskView } from '../views';
import { taskKey } from '../waker';
import { Id } from '../validation';

export const taskRoutes = createRouter();

const ownedTaskRow = async (deps: Deps, user: Actor, taskId: string) => (await ownedTask(deps, user, taskId)).task;

const eventsAfter = (deps: Deps, taskId: string, seq: number) =>
  deps.db
    .select()
    .from(taskEvents)
    .where(and(eq(taskEvents.taskId, taskId), gt(taskEvents.seq, seq)))
    .orderBy(asc(taskEvents.seq));

/** How long one SSE response stays open before the browser reconnects with Last-Event-ID. */
const STREAM_MAX_MS = 10 * 60 * 1000;

taskRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/api/tasks/{id}',
    tags: ['tasks'],
    operationId: 'getTask',
    summary: 'A task and its events',
    security: asUser,
    request: { params: z.object({ id: Id }) },
    responses: {
      200: {
        description: 'The task and its events (JSON), or a live event stream (text/event-stream)',
        content: { 'application/json': { schema: TaskDetailSchema }, 'text/event-stream': { schema: z.string() } },
      },
      ...errorResponses,
    },
  }),
  async (c) => {
    const deps = c.get('deps');
    const task = await ownedTaskRow(deps, currentUser(c), c.req.valid('param').id);
    if (!(c.req.header('accept') ?? '').includes('text/event-stream')) {
      const events = await eventsAfter(deps, task.id, 0);
      return c.json({ task: taskView(task), events: events.map(eventView) }, 200);
    }
    // Resume after a seq this stream sent; anything else (Infinity made the query throw) starts over.
    const lastId = Number(c.req.header('last-event-id') ?? 0);
    const resumeAfter = Number.isSafeInteger(lastId) && lastId > 0 ? lastId : 0;
    return streamSSE(c, async (stream) => {
      const abort = new AbortController();
      stream.onAbort(() => abort.abort());
      const started = Date.now();
      let last = resumeAfter;
      while (!abort.signal.aborted && Date.now() - started < STREAM_MAX_MS) {
        for (const e of await eventsAfter(deps, task.id, last)) {
          last = e.seq;
          await stream.writeSSE({ id: String(e.seq), event: 'progress', data: JSON.stringify(eventView(e)) });
        }
        const [now] = await deps.db.select().from(tasks).where(eq(tasks.id, task.id));
        if (isOneOf(FINAL_TASK_STATES, now.state)) {
          // Events may land just before the result; one more read so none is missed.
          for (const e of await eventsAfter(deps, task.id, last)) {
            last = e.seq;
            await stream.writeSSE({ id: String(e.seq), event: 'progress', data: JSON.stringify(eventView(e)) });
          }
          await stream.writeSSE({ event: 'done', data: JSON.stringify(taskView(now)) });
          return;
        }
        const woken = await deps.waker.wait(taskKey(task.id), 15_000, abort.signal);
        if (!woken && !abort.signal.aborted) await stream.write(': keep-alive\n\n');
      }
    });
  },
);

taskRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/api/tasks/{id}/cancel',
    tags: ['tasks'],
    operationId: 'cancelTask',
    summary: 'Cancel a task an agent has not started',
    security: asUser,
    request: { params: z.object({ id: Id }) },
    responses: { 200: jsonContent(CancelledTaskSchema, 'The task, cancelled before an agent started it'), ...errorResponses },
  }),
  async (c) => {
    const task = await cancelTask(c.get('deps'), currentUser(c), c.req.valid('param').id);
    return c.json({ task: taskView(task) }, 200);
  },
);
