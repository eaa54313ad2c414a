/**
 * A Workers deployment missing a setting: every route, the health check included, answers 503
 * naming the setting (never its value), and the isolate logs it once. Runs the real entry
 * (worker/index.ts) inside workerd with the test bindings, less the one under test.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker, { type Env } from '../../worker/index';

const ROUTES = ['/healthz', '/api/auth/me', '/api/catalog/apps', '/agent/v1/tasks?wait=0', '/login', '/'];

async function fetchWith(bindings: Env, path: string, init?: RequestInit) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`https://cp.example${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, text: await res.text() };
}

const base = env as unknown as Env;
let logged: unknown[][] = [];
const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
afterEach(() => {
  logged = [];
  spy.mockClear();
});

describe('a deployment missing a setting', () => {
  it('answers 503 naming JWT_SECRET on every route, and logs it once', async () => {
    const bindings = { ...base, JWT_SECRET: undefined };
    for (const path of ROUTES) {
      const r = await fetchWith(bindings, path);
      expect(r.status, path).toBe(503);
      expect(JSON.parse(r.text), path).toMatchObject({ error: 'setting_missing', details: { setting: 'JWT_SECRET' } });
      expect(JSON.parse(r.text).message).toMatch(/JWT_SECRET is not set/);
    }
    const login = await fetchWith(bindings, '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.c', password: 'x' }),
    });
    expect(login.status).toBe(503);
    expect(logged).toHaveLength(1);
    expect(String(logged[0][0])).toMatch(/JWT_SECRET is not set/);
  });

  it('names an unusable setting without echoing its value', async () => {
    const secretish = 'short-but-secret-value';
    const short = await fetchWith({ ...base, JWT_SECRET: secretish }, '/healthz');
    expect(short.status).toBe(503);
    expect(short.text).toMatch(/JWT_SECRET is shorter than 32 characters/);
    expect(short.text).not.toContain(secretish);

    const notJson = 'not-json-{"d":"private-part"}';
    const key = await fetchWith({ ...base, CATALOG_SIGNING_KEY: notJson }, '/healthz');
    expect(key.status).toBe(503);
    expect(JSON.parse(key.text).details).toEqual({ setting: 'CATALOG_SIGNING_KEY' });
    expect(key.text).toMatch(/npm run keys/);
    expect(key.text).not.toContain('private-part');
    expect(logged.map(String).join('\n')).not.toContain(secretish);
    expect(logged.map(String).join('\n')).not.toContain('private-part');
  });

  it('names an upkeep period that is not a whole number of 1 or more', async () => {
    for (const [setting, value] of [
      ['TASK_RETENTION_DAYS', '0'],
      ['BATCH_START_DEADLINE_HOURS', 'soon'],
      ['AUDIT_RETENTION_DAYS', '1.5'],
    ]) {
      const r = await fetchWith({ ...base, [setting]: value }, '/healthz');
      expect(r.status, setting).toBe(503);
      expect(JSON.parse(r.text), setting).toMatchObject({ error: 'setting_missing', details: { setting } });
    }
  });

  it('names the database and the throttle bindings when they are missing', async () => {
    const noDb = await fetchWith({ ...base, DB: undefined }, '/healthz');
    expect(noDb.status).toBe(503);
    expect(JSON.parse(noDb.text).details).toEqual({ setting: 'DB' });
    const noThrottle = await fetchWith({ ...base, LOGIN_THROTTLE: undefined }, '/healthz');
    expect(noThrottle.status).toBe(503);
    expect(JSON.parse(noThrottle.text).details).toEqual({ setting: 'LOGIN_THROTTLE' });
  });

  it('names DB when its migrations were never applied, and a malformed ADMIN_EMAIL', async () => {
    const unmigrated = await fetchWith({ ...base, DB: (env as any).EMPTY_DB }, '/healthz');
    expect(unmigrated.status).toBe(503);
    expect(JSON.parse(unmigrated.text)).toMatchObject({ details: { setting: 'DB' }, message: expect.stringMatching(/migrations apply/) });
    const email = await fetchWith({ ...base, ADMIN_EMAIL: 'not an email' }, '/healthz');
    expect(email.status).toBe(503);
    expect(JSON.parse(email.text).details).toEqual({ setting: 'ADMIN_EMAIL' });
  });

  it('names ADMIN_EMAIL while no account exists and none can be created', async () => {
    const r = await fetchWith({ ...base, ADMIN_EMAIL: undefined, ADMIN_PASSWORD: undefined }, '/healthz');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text).details).toEqual({ setting: 'ADMIN_EMAIL' });
    // With the settings the first admin is created and the same deployment answers.
    const ok = await fetchWith(base, '/healthz');
    expect(ok.status).toBe(200);
  });
});
