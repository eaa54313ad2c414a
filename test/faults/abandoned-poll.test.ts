/**
 * Faults: the agent abandons a long poll. Since the agent polls on while its main task runs (for aux
 * tasks), it aborts that poll when the main task ends and polls again at once. The control plane
 * used to wake from the abandoned wait, claim the next queued task for the closed request and leave
 * it claimed by nobody until its lease ran out (5 minutes by default; the soak run's control-plane
 * restarts caught it as tasks claimed twice). And a poll whose agent left before the poll began to
 * wait never heard of it (its request signal was aborted already, so an abort listener never fired):
 * it waited on and claimed the next task for nobody (the soak's kill matrix caught that one).
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
  const waiting = Promise.resolve(
    plane.app.request('http://localhost/agent/v1/tasks?wait=20', { headers: { authorization: `Bearer ${agentToken}` }, signal: gone.signal }),
  ).catch((e) => e);
  await new Promise((r) => setTimeout(r, 100));
  expect((await plane.json('POST', `/agent/v1/tasks/${a.body.task.id}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'ok' } })).status).toBe(
    200,
  );
  gone.abort();
  await waiting;
  await new Promise((r) => setTimeout(r, 100));

  const second = await plane.json('GET', `/api/tasks/${b.body.task.id}`, { token: owner.token });
  expect(second.body.task).toMatchObject({ state: 'queued', attempts: 0 });
  const next = await plane.json('GET', '/agent/v1/tasks?wait=0', { token: agentToken });
  expect(next.body.tasks.map((t: { id: string; attempts: number }) => [t.id, t.attempts])).toEqual([[b.body.task.id, 1]]);
});

it('a poll whose agent left before it began to wait answers at once and claims nothing', async () => {
  const plane = await createTestPlane({ leaseS: 300 });
  const owner = await plane.user('owner');
  await publishApp(plane, 'one');
  const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
  // The request's signal is aborted before the handler looks: its abort event has fired already.
  const gone = new AbortController();
  gone.abort();
  const started = Date.now();
  const answer = Promise.resolve(
    plane.app.request('http://localhost/agent/v1/tasks?wait=3', { headers: { authorization: `Bearer ${agentToken}` }, signal: gone.signal }),
  );
  await new Promise((r) => setTimeout(r, 100));
  const a = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'one' } });
  expect((await answer).status).toBe(204);
  expect(Date.now() - started).toBeLessThan(2000);
  const task = await plane.json('GET', `/api/tasks/${a.body.task.id}`, { token: owner.token });
  expect(task.body.task).toMatchObject({ state: 'queued', attempts: 0 });
});

it('on the Node entry, a poll whose agent left before it began to wait claims nothing', async () => {
  const { startControlPlane } = await import('../../worker/node-server');
  const { connect } = await import('node:net');
  const admin = { email: 'admin@poll.test', password: 'poll-password-long-enough' };
  const cp = await startControlPlane({
    port: 0,
    host: '127.0.0.1',
    adminEmail: admin.email,
    adminPassword: admin.password,
    quiet: true,
    config: { leaseS: 300 },
  });
  try {
    const api = async (method: string, path: string, body?: unknown, token?: string) => {
      const res = await fetch(new URL(path, cp.url), {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    const token = (await api('POST', '/api/auth/login', admin)).body.token as string;
    await api('POST', '/api/catalog/apps', { slug: 'one', name: 'One', description: 'the one app' }, token);
    expect(
      (
        await api(
          'POST',
          '/api/catalog/apps/one/versions',
          { version: '1.0', kind: 'container', compose: 'services:\n  web:\n    image: example/hello:1\n    ports:\n      - "HOST_PORT:80"\n' },
          token,
        )
      ).status,
    ).toBe(201);
    const hda = (await api('POST', '/api/hdas', { name: 'home', domain: 'home.example.com' }, token)).body;
    const agentToken = (await api('POST', '/agent/v1/enroll', { code: hda.enrollment_code, hostname: 'home-host' })).body.token as string;

    // Many agents that send a long poll and vanish at once (kill -9, SIGTERM mid-poll, a dropped link).
    // They leave at different moments of the poll's first look (0 to 20 ms after sending it); a
    // poll that had not begun to wait when its agent left used to wait on and claim for nobody.
    for (let i = 0; i < 42; i++) {
      const s = connect(cp.port, '127.0.0.1');
      s.on('error', () => undefined);
      s.write(`GET /agent/v1/tasks?wait=20 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${agentToken}\r\n\r\n`, () =>
        setTimeout(() => s.destroy(), i % 21),
      );
    }
    await new Promise((r) => setTimeout(r, 300));
    const install = (await api('POST', `/api/hdas/${hda.hda.id}/installs`, { app: 'one' }, token)).body;
    await new Promise((r) => setTimeout(r, 300));
    const view = (await api('GET', `/api/tasks/${install.task.id}`, undefined, token)).body;
    expect(view.task).toMatchObject({ state: 'queued', attempts: 0 });
  } finally {
    await cp.close();
  }
});
