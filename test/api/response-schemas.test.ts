/**
 * Each answer agrees with what its route declares in the OpenAPI document. The test plane checks
 * every answer (test/helpers/response-check.ts) and request() throws on a disagreement; here the
 * main flows are walked end to end, and the check itself is shown to catch each kind of drift.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
beforeEach(async () => {
  plane = await createTestPlane();
});

async function ok(method: string, path: string, opts: { token?: string; body?: unknown } = {}, status = 200) {
  const r = await plane.json(method, path, opts);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(status);
  return r.body;
}

describe('response declarations', () => {
  it('catch a field the route does not declare, a missing or mistyped one, and an undeclared status', () => {
    const check = (status: number, body: unknown) => plane.responses.check('GET', '/api/auth/me', status, 'application/json', body);
    const me = { id: 'u1', email: 'a@example.com', role: 'owner' };
    expect(check(200, me)).toEqual([]);
    expect(check(200, { ...me, password_hash: 'x' })).toEqual([expect.stringMatching(/^GET \/api\/auth\/me 200: \(body\): Unrecognized key: "password_hash"/)]);
    expect(check(200, { id: 'u1', email: 'a@example.com' })).toEqual([expect.stringMatching(/role/)]);
    expect(check(200, { ...me, role: 'root' })).toEqual([expect.stringMatching(/role/)]);
    expect(check(418, me)).toEqual(['GET /api/auth/me 418: status not declared']);
    expect(check(401, { error: 'unauthorized' })).toEqual([expect.stringMatching(/message/)]);
  });

  it('hold for the main flows: publish, enroll, install, the agent protocol, operate, fleet, accounts', async () => {
    const admin = await plane.login('admin@example.com', 'admin-password-1');
    const { token: publisher } = await publishApp(plane, 'hello');
    await ok('POST', '/api/catalog/apps/hello/versions/preview', { token: publisher, body: { version: '2.0', kind: 'container', compose: 'services: {}' } });
    await ok('GET', '/api/catalog/apps?q=hel');
    await ok('GET', '/api/catalog/apps/hello');
    await ok('GET', '/api/catalog/keys');

    const owner = await plane.user('owner');
    const me = await ok('GET', '/api/auth/me', { token: owner.token });
    const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
    await ok('POST', '/agent/v1/heartbeat', {
      token: agentToken,
      body: { facts: { cpus: 2, memory_bytes: 2e9, compose_flavor: 'v2' }, apps: [{ identifier: 'hello', state: 'running', live_port: 35001 }] },
    });
    await ok('GET', '/api/hdas', { token: owner.token });
    const installed = await ok('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } }, 201);
    const installId = installed.install.id;

    // The agent's side: claim, report progress, finish.
    const polled = await ok('GET', '/agent/v1/tasks', { token: agentToken });
    const task = polled.tasks[0];
    expect(task.payload.install.id).toBe(installId);
    await ok('POST', `/agent/v1/tasks/${task.id}/events`, { token: agentToken, body: [{ seq: 1, status: 'Starting', step: 'pull', message: 'pulling' }] });
    await ok('POST', `/agent/v1/tasks/${task.id}/result`, {
      token: agentToken,
      body: { state: 'succeeded', detail: 'up', app_state: 'running', host_port: 35001 },
    });
    await ok('GET', `/api/tasks/${task.id}`, { token: owner.token });

    await ok('GET', `/api/hdas/${hdaId}`, { token: owner.token });
    await ok('GET', '/api/installs', { token: owner.token });
    await ok('GET', `/api/installs/${installId}`, { token: owner.token });
    await ok('GET', `/api/installs/${installId}/deployments`, { token: owner.token });
    await ok('GET', `/api/installs/${installId}/metrics?hours=72`, { token: owner.token });
    await ok('PUT', `/api/installs/${installId}/limits`, { token: owner.token, body: { cpus: 0.5 } }, 202);
    const logs = await ok('POST', `/api/installs/${installId}/logs`, { token: owner.token, body: { tail: 10 } }, 202);
    await ok('POST', `/api/tasks/${logs.task.id}/cancel`, { token: owner.token });
    await ok('POST', `/api/hdas/${hdaId}/prune`, { token: owner.token }, 202);

    const batch = await ok('POST', '/api/batches', { token: owner.token, body: { app: 'hello', hdas: [hdaId] } }, 201);
    await ok('GET', `/api/batches/${batch.batch.id}`, { token: owner.token });
    await ok('GET', '/api/batches', { token: owner.token });

    await ok('GET', '/api/users', { token: admin });
    await ok('PATCH', `/api/users/${me.id}`, { token: admin, body: { role: 'owner' } });
    await ok('GET', '/api/audit?limit=5', { token: admin });
    await ok('POST', `/api/hdas/${hdaId}/enrollment`, { token: owner.token });
    await ok('POST', `/api/hdas/${hdaId}/revoke`, { token: owner.token });
    await ok('DELETE', `/api/hdas/${hdaId}`, { token: owner.token });
    await ok('POST', '/api/auth/logout', { token: owner.token });

    // Every success answer above was checked against a declared schema.
    expect([...plane.responses.seen].filter((s) => / 20[012]$/.test(s)).length).toBeGreaterThanOrEqual(36);
  });
});
