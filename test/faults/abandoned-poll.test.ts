/**
 * Faults: the agent abandons a long poll. Since the agent polls on while its main task runs (for aux
 * tasks), it aborts that poll when the main task ends and polls again at once. The control plane
 * used to wake from the abandoned wait, claim the next queued task for the closed request and leave
 * it claimed by nobody until its lease ran out (5 minutes by default; the soak run's control-plane
 * restarts caught it as tasks claimed twice). Found by test/faults/control-plane.test.ts.
 */
import { expect, it } from 'vitest';
import { createTestPlane, enrolledHda, publishApp } from '../helpers/plane';

it('a long poll the agent abandons claims nothing; the next poll gets the queued task at once', async () => {
  const plane = await createTestPlane({ leaseS: 300 });
  const owner = await plane.user('owner');
  await publishApp(plane, 'one');
  await publishApp(plane, 'two');
  const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
  const a = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'one' } });
  const b = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'two' } });
  const first = await plane.json('GET', '/agent/v1/tasks?wait=0', { token: agentToken });
  expect(first.body.tasks.map((t: { id: string }) => t.id)).toEqual([a.body.task.id]);

  // Task 1 runs; the agent long-polls meanwhile (only aux tasks could come), finishes task 1 and
  // abandons that poll.
  const gone = new AbortController();
  const waiting = Promise.resolve(plane.app.request('http://localhost/agent/v1/tasks?wait=20', { headers: { authorization: `Bearer ${agentToken}` }, signal: gone.signal })).catch((e) => e);
  await new Promise((r) => setTimeout(r, 100));
  expect((await plane.json('POST', `/agent/v1/tasks/${a.body.task.id}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'ok' } })).status).toBe(200);
  gone.abort();
  await waiting;
  await new Promise((r) => setTimeout(r, 100));

  const second = await plane.json('GET', `/api/tasks/${b.body.task.id}`, { token: owner.token });
  expect(second.body.task).toMatchObject({ state: 'queued', attempts: 0 });
  const next = await plane.json('GET', '/agent/v1/tasks?wait=0', { token: agentToken });
  expect(next.body.tasks.map((t: { id: string; attempts: number }) => [t.id, t.attempts])).toEqual([[b.body.task.id, 1]]);
});
