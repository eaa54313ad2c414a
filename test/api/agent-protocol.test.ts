/**
 * What the control plane answers on each agent-protocol route is what core/protocol declares: every
 * answer parses with the declared schema (a field renamed or dropped on either side fails here).
 */
import { beforeEach, expect, it } from 'vitest';
import {
  ClaimedTaskSchema,
  EnrollResponseSchema,
  HeartbeatResponseSchema,
  ReleaseResponseSchema,
  TaskEventsAckSchema,
  TaskResultAckSchema,
  TasksResponseSchema,
} from '../../core/protocol';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string; id: string };
beforeEach(async () => {
  plane = await createTestPlane({ leaseS: 60 });
  owner = await plane.user('owner');
});

it('enroll, poll, events, result, release and heartbeat answer the declared shapes', async () => {
  await publishApp(plane, 'hello');
  const { hdaId, agentToken, enroll } = await enrolledHda(plane, owner.token);
  expect(EnrollResponseSchema.parse(enroll).hda_id).toBe(hdaId);
  const as = { token: agentToken };

  await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
  const polled = await plane.json('GET', '/agent/v1/tasks?wait=0', as);
  const [task] = TasksResponseSchema.parse(polled.body).tasks;
  expect(task.kind).toBe('install');
  if (task.kind !== 'install') return;
  expect(task.payload.install.identifier).toBe('hello');

  const events = await plane.json('POST', `/agent/v1/tasks/${task.id}/events`, {
    ...as,
    body: [{ seq: 1, status: 'Starting', step: 'verify', message: 'go' }],
  });
  expect(TaskEventsAckSchema.parse(events.body)).toEqual({ accepted: 1, duplicates: 0, last_seq: 1 });
  const result = await plane.json('POST', `/agent/v1/tasks/${task.id}/result`, { ...as, body: { state: 'succeeded', detail: 'ok', app_state: 'running' } });
  expect(TaskResultAckSchema.parse(result.body)).toEqual({ state: 'succeeded' });
  const again = await plane.json('POST', `/agent/v1/tasks/${task.id}/result`, { ...as, body: { state: 'succeeded', detail: 'ok', app_state: 'running' } });
  expect(TaskResultAckSchema.parse(again.body)).toEqual({ state: 'succeeded' });

  const pruned = await plane.json('POST', `/api/hdas/${hdaId}/prune`, { token: owner.token });
  expect(pruned.status).toBe(202);
  const prune = ClaimedTaskSchema.parse(TasksResponseSchema.parse((await plane.json('GET', '/agent/v1/tasks?wait=0', as)).body).tasks[0]);
  expect(prune.kind).toBe('prune');
  expect(prune.payload).not.toHaveProperty('install');
  const released = await plane.json('POST', `/agent/v1/tasks/${prune.id}/release`, as);
  expect(ReleaseResponseSchema.parse(released.body)).toEqual({ released: true });

  const beat = await plane.json('POST', '/agent/v1/heartbeat', {
    ...as,
    body: { facts: { hostname: 'h', cpus: 2 }, apps: [{ identifier: 'hello', state: 'running' }] },
  });
  expect(HeartbeatResponseSchema.parse(beat.body).ok).toBe(true);
});

it('a heartbeat with an app state nobody declared is refused and stores nothing', async () => {
  const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
  const r = await plane.json('POST', '/agent/v1/heartbeat', { token: agentToken, body: { apps: [{ identifier: 'hello', state: 'dancing' }] } });
  expect(r.status).toBe(400);
  expect(r.body.message).toMatch(/state/);
  const hda = await plane.json('GET', `/api/hdas/${hdaId}`, { token: owner.token });
  expect(JSON.stringify(hda.body)).not.toContain('dancing');
});

it('every kind of task the control plane queues on an install is a claimed task the declared union takes', async () => {
  await publishApp(plane, 'hello');
  const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
  const as = { token: agentToken };
  const install = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
  const installId = install.body.install.id as string;
  const seen = new Set<string>();
  /** Claims the next task, checks it against the schema, and reports it done. */
  const next = async () => {
    const polled = await plane.json('GET', '/agent/v1/tasks?wait=0', as);
    const tasks = TasksResponseSchema.parse(polled.body).tasks;
    for (const t of tasks) {
      seen.add(t.kind);
      await plane.json('POST', `/agent/v1/tasks/${t.id}/result`, { ...as, body: { state: 'succeeded', detail: 'ok', app_state: 'running' } });
    }
  };
  await next();
  for (const action of ['stop', 'start', 'restart']) {
    await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action } });
    await next();
  }
  await plane.json('POST', `/api/installs/${installId}/logs`, { token: owner.token, body: { tail: 5 } });
  await next();
  expect((await plane.json('PUT', `/api/installs/${installId}/limits`, { token: owner.token, body: { memory_mb: 64 } })).status).toBe(202);
  await next();
  await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'uninstall' } });
  await next();
  expect([...seen].sort()).toEqual(['install', 'logs', 'reconfigure', 'restart', 'start', 'stop', 'uninstall']);
});
