import { beforeEach, describe, expect, it } from 'vitest';
import { EMBEDDED_IDLE_CACHE_MS } from '../../worker/node-server';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string; id: string };
beforeEach(async () => {
  plane = await createTestPlane({ leaseS: 60 });
  owner = await plane.user('owner');
});

const poll = (agentToken: string, wait = 0) => plane.json('GET', `/agent/v1/tasks?wait=${wait}`, { token: agentToken });

async function rowCounts() {
  const count = async (table: string) => Number((await plane.deps.db.all<{ n: number }>(`SELECT count(*) AS n FROM ${table}` as never))[0].n);
  return { installs: await count('installs'), deployments: await count('deployments'), tasks: await count('tasks') };
}

describe('installs', () => {
  it('allocates identifier, hostname and per-HDA host ports, records a deployment and queues a task', async () => {
    await publishApp(plane, 'hello');
    await publishApp(plane, 'world');
    const { hdaId } = await enrolledHda(plane, owner.token);
    const first = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    expect(first.status).toBe(201);
    expect(first.body.install).toMatchObject({ identifier: 'hello', hostname: 'hello.home.example.com', host_port: 35001, state: 'installing' });
    expect(first.body.deployment).toMatchObject({ action: 'install', status: 'pending' });
    expect(first.body.task.state).toBe('queued');
    const second = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'world' } });
    expect(second.body.install.host_port).toBe(35002);

    // Ports are per HDA: another HDA starts again at 35001.
    const other = await enrolledHda(plane, owner.token, 'office', 'office.example.com');
    const third = await plane.json('POST', `/api/hdas/${other.hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    expect(third.body.install.host_port).toBe(35001);

    const detail = await plane.json('GET', `/api/hdas/${hdaId}`, { token: owner.token });
    expect(detail.body.installs.map((i: { identifier: string }) => i.identifier)).toEqual(['hello', 'world']);
    const history = await plane.json('GET', `/api/installs/${first.body.install.id}/deployments`, { token: owner.token });
    expect(history.body.deployments).toHaveLength(1);
  });

  it('refuses a second install of the same app, unknown apps and other owners, writing nothing', async () => {
    await publishApp(plane, 'hello');
    const { hdaId } = await enrolledHda(plane, owner.token);
    expect((await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } })).status).toBe(201);
    const before = await rowCounts();
    const intruder = await plane.user('owner');
    const cases = [
      { token: owner.token, body: { app: 'hello' }, status: 409, match: /already installed/ },
      { token: owner.token, body: { app: 'nope' }, status: 404, match: /app 'nope'/ },
      { token: owner.token, body: { app: 'hello', version: '9.9' }, status: 409 },
      { token: owner.token, body: { app: 'Bad Slug' }, status: 400 },
      { token: owner.token, body: { app: 'hello', policy_exceptions: ['anything-goes'] }, status: 400 },
      { token: intruder.token, body: { app: 'hello' }, status: 404, match: /HDA not found/ },
    ];
    for (const c of cases) {
      const r = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: c.token, body: c.body });
      if (c.body.version) expect(r.status).toBe(404);
      else expect(r.status, JSON.stringify(c.body)).toBe(c.status);
      if (c.match) expect(r.body.message).toMatch(c.match);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('keeps another owner out of installs, deployments and tasks', async () => {
    await publishApp(plane, 'hello');
    const { hdaId } = await enrolledHda(plane, owner.token);
    const created = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    const intruder = await plane.user('owner');
    const id = created.body.install.id;
    for (const [method, path, body] of [
      ['GET', `/api/installs/${id}`],
      ['GET', `/api/installs/${id}/deployments`],
      ['POST', `/api/installs/${id}/actions`, { action: 'stop' }],
      ['GET', `/api/tasks/${created.body.task.id}`],
    ] as const) {
      const r = await plane.json(method, path, { token: intruder.token, body });
      expect(r.status, path).toBe(404);
    }
    expect((await plane.json('GET', '/api/installs', { token: intruder.token })).body.installs).toEqual([]);
    const mine = (await plane.json('GET', '/api/installs', { token: owner.token })).body.installs;
    expect(mine.map((i: { id: string; hda: { id: string } }) => [i.id, i.hda.id])).toEqual([[id, hdaId]]);
    const [dep] = (await plane.json('GET', `/api/installs/${id}/deployments`, { token: owner.token })).body.deployments;
    expect(dep.task_id).toBe(created.body.task.id);
    expect(dep.created_by_email).toMatch(/^owner\d+@example.com$/);
  });
});

describe('agent protocol', () => {
  it('enrollment codes are one-time and expire; tokens are bound to one HDA and stop after revocation', async () => {
    const h = await plane.json('POST', '/api/hdas', { token: owner.token, body: { name: 'home', domain: 'home.example.com' } });
    const code = h.body.enrollment_code;
    const e = await plane.json('POST', '/agent/v1/enroll', { body: { code: code.toLowerCase(), hostname: 'box' } });
    expect(e.status).toBe(200);
    expect(e.body).toMatchObject({ hda_id: h.body.hda.id, domain: 'home.example.com' });
    expect(e.body.keys.keys.length).toBeGreaterThan(0);
    expect((await plane.json('POST', '/agent/v1/enroll', { body: { code, hostname: 'box2' } })).status).toBe(401);

    const fresh = await plane.json('POST', `/api/hdas/${h.body.hda.id}/enrollment`, { token: owner.token });
    expect((await poll(e.body.token)).status).toBe(204);
    expect((await poll('garbage')).status).toBe(401);
    expect((await poll(`${h.body.hda.id}.${'x'.repeat(43)}`)).status).toBe(401);
    await plane.json('POST', `/api/hdas/${h.body.hda.id}/revoke`, { token: owner.token });
    expect((await poll(e.body.token)).status).toBe(401);
    expect((await plane.json('POST', '/agent/v1/heartbeat', { token: e.body.token, body: {} })).status).toBe(401);
    const view = await plane.json('GET', `/api/hdas/${h.body.hda.id}`, { token: owner.token });
    expect(view.body.hda.status).toBe('revoked');
    plane.clock.advance(25 * 3600 * 1000);
    expect((await plane.json('POST', '/agent/v1/enroll', { body: { code: fresh.body.enrollment_code, hostname: 'late' } })).status).toBe(401);
  });

  it("sends browser security headers on the owners' API but not on the agent protocol, which no browser speaks", async () => {
    const { agentToken } = await enrolledHda(plane, owner.token);
    const api = await plane.request('GET', '/api/hdas', { token: owner.token });
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const polled = await plane.request('GET', '/agent/v1/tasks?wait=0', { token: agentToken });
    expect(polled.status).toBe(204);
    expect(polled.headers.get('x-frame-options')).toBeNull();
    // A path that only starts like the agent's is not exempt.
    expect((await plane.request('GET', '/agentx', { token: owner.token })).headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('hands a task to one poll only, re-queues it when the lease runs out, and fails it after max attempts', async () => {
    await publishApp(plane, 'hello');
    const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
    const created = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    const [a, b] = await Promise.all([poll(agentToken), poll(agentToken)]);
    const got = [a, b].filter((r) => r.status === 200);
    expect(got).toHaveLength(1);
    const task = got[0].body.tasks[0];
    expect(task).toMatchObject({ id: created.body.task.id, kind: 'install', attempts: 1 });
    expect(task.payload.install).toMatchObject({ identifier: 'hello', host_port: 35001, domain: 'home.example.com' });
    expect(task.payload.version.compose).toMatch(/HOST_PORT/);
    expect(task.payload.signature).toBeTypeOf('string');
    expect((await poll(agentToken)).status).toBe(204);

    plane.clock.advance(61_000);
    const again = await poll(agentToken);
    expect(again.status).toBe(200);
    expect(again.body.tasks[0]).toMatchObject({ id: task.id, attempts: 2 });

    for (let i = 0; i < 3; i++) {
      plane.clock.advance(61_000);
      expect((await poll(agentToken)).status).toBe(200);
    }
    plane.clock.advance(61_000);
    expect((await poll(agentToken)).status).toBe(204);
    const t = await plane.json('GET', `/api/tasks/${task.id}`, { token: owner.token });
    expect(t.body.task).toMatchObject({ state: 'failed', attempts: 5 });
    expect(t.body.task.detail).toMatch(/5 times/);
  });

  it('stores events once per (task, seq), keeps the lease alive, and finishes task, deployment and install', async () => {
    await publishApp(plane, 'hello');
    const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
    const created = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    const taskId = (await poll(agentToken)).body.tasks[0].id;
    const events = [
      { seq: 1, status: 'Starting', step: 'pull', message: 'pulling example/hello:1' },
      { seq: 2, status: 'Progress', step: 'pull', message: 'layer', data: { current: 10, total: 100 } },
    ];
    const first = await plane.json('POST', `/agent/v1/tasks/${taskId}/events`, { token: agentToken, body: events });
    expect(first.body).toEqual({ accepted: 2, duplicates: 0, last_seq: 2 });
    const resent = await plane.json('POST', `/agent/v1/tasks/${taskId}/events`, {
      token: agentToken,
      body: [...events, { seq: 3, status: 'Complete', step: 'pull', message: 'pulled' }],
    });
    expect(resent.body).toEqual({ accepted: 1, duplicates: 2, last_seq: 3 });
    expect((await plane.json('POST', `/agent/v1/tasks/${taskId}/events`, { token: agentToken, body: [{ seq: 0, status: 'OK', message: 'x' }] })).status).toBe(
      400,
    );
    expect(
      (await plane.json('POST', `/agent/v1/tasks/${taskId}/events`, { token: agentToken, body: [{ seq: 4, status: 'Bogus', message: 'x' }] })).status,
    ).toBe(400);

    // Events keep the lease alive: 50 s + 50 s is past the 60 s lease, but each event renewed it.
    plane.clock.advance(50_000);
    await plane.json('POST', `/agent/v1/tasks/${taskId}/events`, { token: agentToken, body: [{ seq: 4, status: 'OK', step: 'up', message: 'up' }] });
    plane.clock.advance(50_000);
    expect((await poll(agentToken)).status).toBe(204);

    // Another HDA's agent cannot touch this task.
    const other = await enrolledHda(plane, (await plane.user('owner')).token, 'x', 'x.example.com');
    expect(
      (await plane.json('POST', `/agent/v1/tasks/${taskId}/events`, { token: other.agentToken, body: [{ seq: 9, status: 'OK', message: 'x' }] })).status,
    ).toBe(404);
    expect((await plane.json('POST', `/agent/v1/tasks/${taskId}/result`, { token: other.agentToken, body: { state: 'failed', detail: 'x' } })).status).toBe(
      404,
    );

    const result = { state: 'succeeded', detail: 'installed', rendered_compose: 'services: {}', images: { 'example/hello:1': 'sha256:abc' } };
    expect((await plane.json('POST', `/agent/v1/tasks/${taskId}/result`, { token: agentToken, body: result })).status).toBe(200);
    expect((await plane.json('POST', `/agent/v1/tasks/${taskId}/result`, { token: agentToken, body: result })).status).toBe(200);
    expect((await plane.json('POST', `/agent/v1/tasks/${taskId}/result`, { token: agentToken, body: { state: 'failed', detail: 'late' } })).status).toBe(409);
    // The stream of an ended task is closed: re-sent events are duplicates, new ones are refused.
    const again = await plane.json('POST', `/agent/v1/tasks/${taskId}/events`, {
      token: agentToken,
      body: [{ seq: 4, status: 'OK', step: 'up', message: 'up' }],
    });
    expect(again.body).toEqual({ accepted: 0, duplicates: 1, last_seq: 4 });
    const late = await plane.json('POST', `/agent/v1/tasks/${taskId}/events`, {
      token: agentToken,
      body: [{ seq: 5, status: 'OK', message: 'after the end' }],
    });
    expect(late.status).toBe(409);
    expect(late.body.message).toMatch(/has ended/);

    const task = await plane.json('GET', `/api/tasks/${taskId}`, { token: owner.token });
    expect(task.body.task.state).toBe('succeeded');
    expect(task.body.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4]);
    const install = await plane.json('GET', `/api/installs/${created.body.install.id}`, { token: owner.token });
    expect(install.body.install).toMatchObject({ state: 'running', current_deployment_id: created.body.deployment.id, version: '1.0' });
    const [dep] = (await plane.json('GET', `/api/installs/${created.body.install.id}/deployments`, { token: owner.token })).body.deployments;
    expect(dep).toMatchObject({ status: 'succeeded', rendered_compose: 'services: {}', images: { 'example/hello:1': 'sha256:abc' } });
  });

  it("runs an HDA's tasks one at a time, oldest first, and moves the install through its states", async () => {
    await publishApp(plane, 'hello');
    const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
    const created = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    const installId = created.body.install.id;
    const stop = await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'stop' } });
    expect(stop.status).toBe(202);
    const t1 = (await poll(agentToken)).body.tasks[0];
    expect(t1.kind).toBe('install');
    expect((await poll(agentToken)).status).toBe(204); // stop waits for the install
    await plane.json('POST', `/agent/v1/tasks/${t1.id}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'ok' } });
    const t2 = (await poll(agentToken)).body.tasks[0];
    expect(t2).toMatchObject({ kind: 'stop', id: stop.body.task.id });
    await plane.json('POST', `/agent/v1/tasks/${t2.id}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'stopped' } });
    expect((await plane.json('GET', `/api/installs/${installId}`, { token: owner.token })).body.install.state).toBe('stopped');

    const un = await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'uninstall', purge: true } });
    const t3 = (await poll(agentToken)).body.tasks[0];
    expect(t3.payload.purge).toBe(true);
    await plane.json('POST', `/agent/v1/tasks/${t3.id}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'removed' } });
    expect((await plane.json('GET', `/api/installs/${installId}`, { token: owner.token })).body.install.state).toBe('removed');
    expect(un.body.deployment.action).toBe('uninstall');
    // A removed install frees its identifier: the app can be installed again.
    const again = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    expect(again.status).toBe(201);
    expect(again.body.install.host_port).toBe(35002);
    expect((await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'start' } })).status).toBe(409);
  });

  it('update queues the newest version with the previous deployment; rollback returns to the earlier one', async () => {
    const { token: pub } = await publishApp(plane, 'hello');
    const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
    const created = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    const installId = created.body.install.id;
    const finish = async () => {
      const t = (await poll(agentToken)).body.tasks[0];
      await plane.json('POST', `/agent/v1/tasks/${t.id}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'ok' } });
      return t;
    };
    await finish();
    expect((await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'rollback' } })).status).toBe(409);
    await plane.json('POST', '/api/catalog/apps/hello/versions', {
      token: pub,
      body: { version: '2.0', kind: 'container', compose: 'services:\n  web:\n    image: example/hello:2\n    ports: ["HOST_PORT:80"]\n' },
    });
    await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'update' } });
    const upd = await finish();
    expect(upd.kind).toBe('update');
    expect(upd.payload.version.version).toBe('2.0');
    expect(upd.payload.previous.deployment_id).toBe(created.body.deployment.id);
    expect((await plane.json('GET', `/api/installs/${installId}`, { token: owner.token })).body.install.version).toBe('2.0');

    const rb = await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'rollback' } });
    expect(rb.body.deployment.rollback_of).toBe(created.body.deployment.id);
    const t = await finish();
    expect(t.payload.version.version).toBe('1.0');
    expect((await plane.json('GET', `/api/installs/${installId}`, { token: owner.token })).body.install.version).toBe('1.0');
    const history = (await plane.json('GET', `/api/installs/${installId}/deployments`, { token: owner.token })).body.deployments;
    expect(history.map((d: { action: string }) => d.action)).toEqual(['rollback', 'update', 'install']);
  });

  it('wakes a waiting long-poll as soon as a task is queued', async () => {
    await publishApp(plane, 'hello');
    const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
    const waiting = poll(agentToken, 30);
    await new Promise((r) => setTimeout(r, 50));
    await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    // The 30 s wait has not run out: only a wake-up can answer before this 5 s guard.
    const res = await Promise.race([waiting, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 5000))]);
    expect(res).not.toBe('still waiting');
    expect((res as { status: number }).status).toBe(200);
  });

  it('a poll held open while a main task runs gets the next main task as soon as the first one is reported', async () => {
    await publishApp(plane, 'hello');
    await publishApp(plane, 'world');
    const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
    const first = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    expect((await poll(agentToken)).body.tasks[0].id).toBe(first.body.task.id);
    const second = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'world' } });
    let answered = false;
    const waiting = poll(agentToken, 30).then((r) => ((answered = true), r));
    await new Promise((r) => setTimeout(r, 100));
    expect(answered, 'the second task waits behind the first').toBe(false);
    await plane.json('POST', `/agent/v1/tasks/${first.body.task.id}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'done' } });
    // The 30 s wait has not run out: only the result's wake-up can answer before this 5 s guard.
    const res = await Promise.race([waiting, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 5000))]);
    expect(res).not.toBe('still waiting');
    expect((res as { status: number; body: { tasks: Array<{ id: string }> } }).body.tasks.map((t) => t.id)).toEqual([second.body.task.id]);
  });

  it('an idle poll is one indexed query; heartbeats write only when something changed', async () => {
    plane = await createTestPlane({ pollIdleCacheMs: 0 });
    owner = await plane.user('owner');
    const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
    await poll(agentToken);
    plane.queries.length = 0;
    expect((await poll(agentToken)).status).toBe(204);
    expect(plane.queries).toHaveLength(1);
    expect(plane.queries[0]).toMatch(/^select/i);
    // Every lookup of tasks goes down the (hda, lane, state) index: past tasks are never read.
    const sql = plane.queries[0];
    const client = (plane.deps.db as unknown as { $client: { execute(q: { sql: string; args: unknown[] }): Promise<{ rows: Array<{ detail: string }> }> } })
      .$client;
    const plan = await client.execute({
      sql: `EXPLAIN QUERY PLAN ${sql}`,
      args: sql
        .split('?')
        .slice(1)
        .map(() => null),
    });
    const taskLookups = plan.rows.map((r) => r.detail).filter((d) => /tasks|\baux\b/.test(d) && /SEARCH|SCAN/.test(d));
    expect(taskLookups.length).toBeGreaterThan(0);
    for (const d of taskLookups) expect(d).toMatch(/sqlite_autoindex_tasks_1 \(id=\?\)|tasks_hda_lane_state \(hda_id=\? AND lane=\? AND state=\?\)/);

    const beat = { facts: { cpus: 4, docker_version: '20.10.24' }, apps: [{ identifier: 'hello', state: 'running', cpu_percent: 1.5 }] };
    plane.queries.length = 0;
    await plane.json('POST', '/agent/v1/heartbeat', { token: agentToken, body: beat });
    expect(plane.queries.filter((q) => /^update/i.test(q))).toHaveLength(1);
    plane.queries.length = 0;
    await plane.json('POST', '/agent/v1/heartbeat', { token: agentToken, body: beat });
    expect(plane.queries.filter((q) => /^(update|insert)/i.test(q))).toHaveLength(0);
    const view = await plane.json('GET', `/api/hdas/${hdaId}`, { token: owner.token });
    expect(view.body.hda).toMatchObject({ status: 'online', facts: { cpus: 4, docker_version: '20.10.24' } });
    plane.clock.advance(10 * 60 * 1000);
    expect((await plane.json('GET', `/api/hdas/${hdaId}`, { token: owner.token })).body.hda.status).toBe('offline');
  });

  it('idle polls leave the clock where it is, and records made in one millisecond still list in order', async () => {
    await publishApp(plane, 'hello');
    await publishApp(plane, 'world');
    const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
    const before = plane.deps.now();
    for (let i = 0; i < 300; i++) expect((await poll(agentToken)).status).toBe(204);
    expect(plane.deps.now()).toBe(before);
    // The test clock stands still: both installs are queued "in the same millisecond".
    const first = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'world' } });
    const second = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    const claimed = await poll(agentToken);
    expect(claimed.body.tasks.map((t: { id: string }) => t.id)).toEqual([first.body.task.id]);
    expect(second.body.task.id).not.toBe(first.body.task.id);
  });

  it('an agent that beats and polls every 30 s writes last_seen once a minute, not once per path', async () => {
    const { agentToken } = await enrolledHda(plane, owner.token);
    const beat = { facts: { cpus: 4 }, apps: [] };
    await plane.json('POST', '/agent/v1/heartbeat', { token: agentToken, body: beat });
    await poll(agentToken);
    plane.queries.length = 0;
    for (let i = 0; i < 20; i++) {
      plane.clock.advance(30_000);
      expect((await plane.json('POST', '/agent/v1/heartbeat', { token: agentToken, body: beat })).status).toBe(200);
      expect((await poll(agentToken)).status).toBe(204);
    }
    // Ten minutes: one write a minute (nine or ten, by where the minute falls), whichever path makes it.
    const writes = plane.queries.filter((q) => /^update "hdas" set "last_seen_at"/i.test(q)).length;
    expect(writes).toBeGreaterThanOrEqual(9);
    expect(writes).toBeLessThanOrEqual(10);
  });

  it('answers a repeated idle poll from memory until work, a revocation or the cache lifetime ends it', async () => {
    await publishApp(plane, 'hello');
    const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
    expect((await poll(agentToken)).status).toBe(204);
    plane.queries.length = 0;
    expect((await poll(agentToken)).status).toBe(204);
    expect(plane.queries).toEqual([]);
    expect((await poll(`${hdaId}.${'y'.repeat(43)}`)).status).toBe(401); // a wrong token is still checked
    await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    expect((await poll(agentToken)).status).toBe(200);
    await plane.json('POST', `/api/hdas/${hdaId}/revoke`, { token: owner.token });
    expect((await poll(agentToken)).status).toBe(401);

    const other = await enrolledHda(plane, owner.token, 'b', 'b.example.com');
    await poll(other.agentToken);
    plane.clock.advance(EMBEDDED_IDLE_CACHE_MS + 1000);
    plane.queries.length = 0;
    await poll(other.agentToken);
    // The lifetime ran out: checked again (and, the HDA having been away that long, looked at twice).
    expect(plane.queries.filter((q) => /^select .* from "hdas" left join "tasks"/i.test(q)).length).toBeGreaterThan(0);
  });

  it('an idle answer from memory ends when a logs task in flight runs out of lease, not a cache lifetime later', async () => {
    await publishApp(plane, 'hello');
    const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
    const install = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    const installTask = (await poll(agentToken)).body.tasks[0];
    await plane.json('POST', `/agent/v1/tasks/${installTask.id}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'ok' } });
    const logs = await plane.json('POST', `/api/installs/${install.body.install.id}/logs`, { token: owner.token, body: { tail: 10 } });
    expect(logs.status).toBe(202);
    const claimed = await poll(agentToken);
    expect(claimed.body.tasks.map((t: { id: string }) => t.id)).toEqual([logs.body.task.id]);
    // The agent that took it dies. Its HDA's polls are idle and answered from memory...
    expect((await poll(agentToken)).status).toBe(204);
    plane.queries.length = 0;
    expect((await poll(agentToken)).status).toBe(204);
    expect(plane.queries).toEqual([]);
    // ...until the lease ends: the very next poll hands the logs task out again.
    plane.clock.advance(Date.parse(claimed.body.tasks[0].lease_until) - plane.clock.now + 1);
    expect(Date.parse(claimed.body.tasks[0].lease_until) - Date.parse(installTask.lease_until)).toBeLessThan(EMBEDDED_IDLE_CACHE_MS);
    const again = await poll(agentToken);
    expect(again.status).toBe(200);
    expect(again.body.tasks.map((t: { id: string; attempts: number }) => [t.id, t.attempts])).toEqual([[logs.body.task.id, 2]]);
  });

  it('streams task events over Server-Sent Events until the task ends', async () => {
    await publishApp(plane, 'hello');
    const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
    const created = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    const taskId = (await poll(agentToken)).body.tasks[0].id;
    await plane.json('POST', `/agent/v1/tasks/${taskId}/events`, { token: agentToken, body: [{ seq: 1, status: 'Starting', step: 'pull', message: 'pull' }] });
    const res = await plane.request('GET', `/api/tasks/${created.body.task.id}`, { token: owner.token, headers: { accept: 'text/event-stream' } });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    };
    await readUntil('"seq":1');
    await plane.json('POST', `/agent/v1/tasks/${taskId}/events`, { token: agentToken, body: [{ seq: 2, status: 'Finalized', message: 'done' }] });
    await plane.json('POST', `/agent/v1/tasks/${taskId}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'ok' } });
    await readUntil('event: done');
    expect(text).toMatch(/event: progress\ndata: \{"seq":1,[^\n]*\nid: 1\n/);
    expect(text).toMatch(/event: progress\ndata: \{"seq":2,[^\n]*\nid: 2\n/);
    expect(text).toMatch(/event: done\ndata: .*"state":"succeeded"/);
  });
});
