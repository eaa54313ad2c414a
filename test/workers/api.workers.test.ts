/**
 * The control plane inside workerd with D1: the path an HDA takes from publish to a finished install.
 */
import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../worker/index';
import { describe, expect, it } from 'vitest';

async function call(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await SELF.fetch(`https://cp.example${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('control plane on workerd + D1', () => {
  it('login, publish, enroll, install, poll, events, result', async () => {
    const login = await call('POST', '/api/auth/login', { body: { email: 'admin@example.com', password: 'admin-password-1' } });
    expect(login.status).toBe(200);
    const admin = login.body.token as string;

    expect((await call('POST', '/api/catalog/apps', { token: admin, body: { slug: 'hello', name: 'Hello' } })).status).toBe(201);
    const script = `cat > docker-compose.yml << 'EOF'\nhello-container:\n  image: 'docker.io/example/hello'\n  container_name: "APP_IDENTIFIER"\n  ports:\n    - 'HOST_PORT:80'\nEOF\ndocker-compose up -d\n`;
    const published = await call('POST', '/api/catalog/apps/hello/versions', {
      token: admin,
      body: { version: '1.0', kind: 'container', install_script: script },
    });
    expect(published.status).toBe(201);
    expect(published.body.version.normalized_compose).toMatch(/services:/);
    expect(
      (await call('POST', '/api/catalog/apps/hello/versions', { token: admin, body: { version: '1.0', kind: 'container', install_script: script } })).status,
    ).toBe(409);

    const hda = await call('POST', '/api/hdas', { token: admin, body: { name: 'edge', domain: 'edge.example.com' } });
    expect(hda.status).toBe(201);
    const enrolled = await call('POST', '/agent/v1/enroll', { body: { code: hda.body.enrollment_code, hostname: 'edge-box' } });
    expect(enrolled.status).toBe(200);
    const agent = enrolled.body.token as string;
    expect(enrolled.body.keys.keys[0].kid).toBe('workers-test');

    expect((await call('GET', '/agent/v1/tasks?wait=0', { token: agent })).status).toBe(204);
    const install = await call('POST', `/api/hdas/${hda.body.hda.id}/installs`, { token: admin, body: { app: 'hello' } });
    expect(install.status).toBe(201);
    expect(install.body.install).toMatchObject({ host_port: 35001, hostname: 'hello.edge.example.com' });

    const polled = await call('GET', '/agent/v1/tasks?wait=2', { token: agent });
    expect(polled.status).toBe(200);
    const task = polled.body.tasks[0];
    expect(task.payload.signature.split('.')).toHaveLength(3);
    expect((await call('GET', '/agent/v1/tasks?wait=0', { token: agent })).status).toBe(204);

    const events = [
      { seq: 1, status: 'Starting', step: 'up', message: 'starting' },
      { seq: 2, status: 'Finalized', message: 'done' },
    ];
    expect((await call('POST', `/agent/v1/tasks/${task.id}/events`, { token: agent, body: events })).body).toMatchObject({ accepted: 2, duplicates: 0 });
    expect((await call('POST', `/agent/v1/tasks/${task.id}/events`, { token: agent, body: events })).body).toMatchObject({ accepted: 0, duplicates: 2 });
    expect((await call('POST', `/agent/v1/tasks/${task.id}/result`, { token: agent, body: { state: 'succeeded', detail: 'ok' } })).status).toBe(200);

    const detail = await call('GET', `/api/tasks/${task.id}`, { token: admin });
    expect(detail.body.task.state).toBe('succeeded');
    expect(detail.body.events).toHaveLength(2);
    const inst = await call('GET', `/api/installs/${install.body.install.id}`, { token: admin });
    expect(inst.body.install.state).toBe('running');
  });

  it('refuses bad input with 4xx inside workerd too', async () => {
    const login = await call('POST', '/api/auth/login', { body: { email: 'admin@example.com', password: 'admin-password-1' } });
    const r = await call('POST', '/api/hdas', { token: login.body.token, body: { name: 'x', domain: 'not a domain' } });
    expect(r.status).toBe(400);
    expect((await call('GET', '/agent/v1/tasks', { token: 'nope' })).status).toBe(401);
  });

  it('keeps sign-in failures in the Durable Object, where every isolate sees them', async () => {
    const address = '203.0.113.77';
    const attempt = () =>
      call('POST', '/api/auth/login', { body: { email: 'admin@example.com', password: 'wrong-password' }, headers: { 'cf-connecting-ip': address } });
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(429);
    // Asked directly, outside the isolate that served the requests, the address's object holds the delay.
    const ns = (env as any).LOGIN_THROTTLE as DurableObjectNamespace<import('../../worker/auth/login-throttle-object').LoginThrottleObject>;
    const verdict = await ns.get(ns.idFromName(address)).check({ account: 'admin@example.com', address }, Date.now());
    expect(verdict.waitMs).toBeGreaterThan(0);
    // Another address is not slowed down.
    const other = await call('POST', '/api/auth/login', {
      body: { email: 'admin@example.com', password: 'admin-password-1' },
      headers: { 'cf-connecting-ip': '198.51.100.5' },
    });
    expect(other.status).toBe(200);
  });

  it('prunes audit rows past the retention period on its cron trigger', async () => {
    const db = (env as any).DB as D1Database;
    const old = Date.now() - 181 * 24 * 3600 * 1000;
    await db
      .prepare(`INSERT INTO audit_log (actor_kind, action, at) VALUES ('system', 'test.old', ?), ('system', 'test.recent', ?)`)
      .bind(old, Date.now())
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '*/5 * * * *' }), env as any, ctx);
    await waitOnExecutionContext(ctx);
    const left = await db.prepare(`SELECT action FROM audit_log WHERE action LIKE 'test.%'`).all<{ action: string }>();
    expect(left.results.map((r) => r.action)).toEqual(['test.recent']);
  });
});
