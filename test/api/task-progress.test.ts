/**
 * A task event's typed progress (core/protocol TaskProgressSchema): stored as the agent sent it and
 * served back on the task; a figure outside the schema (more than 100%, a negative byte count) is a
 * 400 that stores nothing.
 */
import { beforeEach, expect, it } from 'vitest';
import { TasksResponseSchema, type TaskProgress } from '../../core/protocol';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string; id: string };
beforeEach(async () => {
  plane = await createTestPlane({ leaseS: 60 });
  owner = await plane.user('owner');
});

it('stores and serves the progress of an event; refuses a malformed one whole', async () => {
  await publishApp(plane, 'hello');
  const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
  await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
  const [task] = TasksResponseSchema.parse((await plane.json('GET', '/agent/v1/tasks?wait=0', { token: agentToken })).body).tasks;
  const progress: TaskProgress = { item: 'hello', bytes_done: 600, bytes_total: 1000, fraction: 0.6, approximate: true };
  const sent = await plane.json('POST', `/agent/v1/tasks/${task.id}/events`, {
    token: agentToken,
    body: [{ seq: 1, status: 'Progress', step: 'restore-offsite', message: 'restore hello: 60%', progress }],
  });
  expect(sent.status).toBe(200);
  for (const bad of [
    { ...progress, fraction: 1.5 },
    { ...progress, bytes_done: -1 },
  ]) {
    const refused = await plane.json('POST', `/agent/v1/tasks/${task.id}/events`, {
      token: agentToken,
      body: [{ seq: 2, status: 'Progress', step: 'restore-offsite', message: 'bad', progress: bad }],
    });
    expect(refused.status).toBe(400);
  }
  const view = await plane.json('GET', `/api/tasks/${task.id}`, { token: owner.token });
  expect(view.body.events).toEqual([expect.objectContaining({ seq: 1, status: 'Progress', progress, data: null })]);
});
