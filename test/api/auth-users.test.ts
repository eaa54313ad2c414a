import { SignJWT, UnsecuredJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, createTestPlane, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
beforeEach(async () => {
  plane = await createTestPlane();
});

describe('login and sessions', () => {
  it('logs in with the seeded admin and sets an HttpOnly SameSite cookie', async () => {
    const res = await plane.request('POST', '/api/auth/login', { body: ADMIN });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.user).toMatchObject({ email: ADMIN.email, role: 'admin' });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/hda_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const me = await plane.json('GET', '/api/auth/me', { token: body.token });
    expect(me.body).toMatchObject({ email: ADMIN.email, role: 'admin' });
  });

  it('refuses a wrong password and an unknown email with the same 401', async () => {
    const wrong = await plane.json('POST', '/api/auth/login', { body: { email: ADMIN.email, password: 'nope-nope-nope' } });
    const unknown = await plane.json('POST', '/api/auth/login', { body: { email: 'who@example.com', password: 'nope-nope-nope' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.message).toBe(unknown.body.message);
  });

  it('rate limits repeated failed logins', async () => {
    const body = { email: 'limited@example.com', password: 'wrong-password' };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await plane.json('POST', '/api/auth/login', { body })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('does not let a forged forwarding header reset the limit', async () => {
    const body = { email: 'spoofed@example.com', password: 'wrong-password' };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await plane.request('POST', '/api/auth/login', { body, headers: { 'x-real-ip': `10.0.0.${i}`, 'cf-connecting-ip': `10.1.0.${i}` } });
      statuses.push(res.status);
    }
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('logout revokes the token', async () => {
    const token = await plane.login(ADMIN.email, ADMIN.password);
    expect((await plane.json('POST', '/api/auth/logout', { token })).status).toBe(200);
    expect((await plane.json('GET', '/api/auth/me', { token })).status).toBe(401);
  });

  it('refuses alg=none, a token signed with another key and an expired token', async () => {
    const none = new UnsecuredJWT({ role: 'admin' }).setSubject('x').setIssuer('hda-control-plane').setJti('j').setExpirationTime('1h').encode();
    const other = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer('hda-control-plane')
      .setJti('j')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another-secret-another-secret-another'));
    for (const token of [none, other, 'garbage']) {
      expect((await plane.json('GET', '/api/auth/me', { token })).status).toBe(401);
    }
    const token = await plane.login(ADMIN.email, ADMIN.password);
    plane.clock.advance(13 * 3600 * 1000);
    expect((await plane.json('GET', '/api/auth/me', { token })).status).toBe(401);
  });

  it('refuses a cross-site state change made with the session cookie', async () => {
    const login = await plane.request('POST', '/api/auth/login', { body: ADMIN });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    const cross = await plane.request('POST', '/api/hdas', {
      body: { name: 'x', domain: 'x.example.com' },
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(cross.status).toBe(403);
    const same = await plane.request('POST', '/api/hdas', {
      body: { name: 'x', domain: 'x.example.com' },
      headers: { cookie, origin: 'http://localhost' },
    });
    expect(same.status).toBe(201);
  });
});

describe('users', () => {
  it('admin creates users with roles; others cannot', async () => {
    const owner = await plane.user('owner');
    const publisher = await plane.user('publisher');
    for (const token of [owner.token, publisher.token]) {
      const r = await plane.json('POST', '/api/users', { token, body: { email: 'x@example.com', password: 'long-enough-pw', role: 'admin' } });
      expect(r.status).toBe(403);
    }
    expect((await plane.json('POST', '/api/users', { body: { email: 'x@example.com', password: 'long-enough-pw', role: 'owner' } })).status).toBe(401);
    const admin = await plane.login(ADMIN.email, ADMIN.password);
    const list = await plane.json('GET', '/api/users', { token: admin });
    expect(list.body.users.map((u: { email: string }) => u.email).sort()).toEqual([ADMIN.email, owner.email, publisher.email].sort());
    expect(JSON.stringify(list.body)).not.toMatch(/pbkdf2/);
  });

  it('rejects duplicate emails, short passwords, unknown roles and unknown fields', async () => {
    const admin = await plane.login(ADMIN.email, ADMIN.password);
    const cases = [
      { body: { email: ADMIN.email, password: 'long-enough-pw', role: 'owner' }, status: 409 },
      { body: { email: 'a@example.com', password: 'short', role: 'owner' }, status: 400 },
      { body: { email: 'a@example.com', password: 'long-enough-pw', role: 'root' }, status: 400 },
      { body: { email: 'a@example.com', password: 'long-enough-pw', role: 'owner', admin: true }, status: 400 },
      { body: { email: 'not-an-email', password: 'long-enough-pw', role: 'owner' }, status: 400 },
    ];
    for (const c of cases) {
      const r = await plane.json('POST', '/api/users', { token: admin, body: c.body });
      expect(r.status, JSON.stringify(c.body)).toBe(c.status);
      expect(typeof r.body.message).toBe('string');
    }
    const list = await plane.json('GET', '/api/users', { token: admin });
    expect(list.body.users).toHaveLength(1);
  });

  it('answers malformed JSON and oversized bodies with 4xx JSON errors', async () => {
    const admin = await plane.login(ADMIN.email, ADMIN.password);
    const bad = await plane.request('POST', '/api/users', { token: admin, raw: '{"email": ' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('bad_request');
    const huge = await plane.request('POST', '/api/users', { token: admin, raw: JSON.stringify({ email: 'a'.repeat(2 * 1024 * 1024) }) });
    expect(huge.status).toBe(413);
  });
});

describe('openapi', () => {
  it('serves a document generated from the routes', async () => {
    const r = await plane.json('GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    for (const path of [
      '/api/auth/login',
      '/api/catalog/apps/{slug}/versions',
      '/api/hdas/{id}/installs',
      '/api/installs/{id}/actions',
      '/agent/v1/tasks',
      '/agent/v1/heartbeat',
    ]) {
      expect(Object.keys(r.body.paths)).toContain(path);
    }
    expect(r.body.components.schemas.NewVersion.properties.kind).toBeDefined();
  });
});
