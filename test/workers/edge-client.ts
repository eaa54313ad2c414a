/** Requests to the Worker under test (SELF) and the few steps the workers-project tests share. */
import { env, SELF } from 'cloudflare:test';

export const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

export interface Answer {
  status: number;
  body: any;
}

export async function call(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const res = await SELF.fetch(`https://cp.example${path}`, { method, headers, body, signal: opts.signal });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export const d1 = () => (env as unknown as { DB: D1Database }).DB;

export async function adminToken(): Promise<string> {
  const r = await call('POST', '/api/auth/login', { body: ADMIN });
  if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
  return r.body.token;
}

const COMPOSE = `services:\n  web:\n    image: example/hello:1\n    container_name: APP_IDENTIFIER\n    ports:\n      - "HOST_PORT:80"\n`;

export async function publish(token: string, slug: string): Promise<void> {
  const app = await call('POST', '/api/catalog/apps', { token, body: { slug, name: `App ${slug}` } });
  if (app.status !== 201) throw new Error(`app ${slug}: ${JSON.stringify(app.body)}`);
  const v = await call('POST', `/api/catalog/apps/${slug}/versions`, { token, body: { version: '1.0', kind: 'container', compose: COMPOSE } });
  if (v.status !== 201) throw new Error(`version of ${slug}: ${JSON.stringify(v.body)}`);
}

export async function enrolled(token: string, name: string): Promise<{ hdaId: string; agent: string }> {
  const hda = await call('POST', '/api/hdas', { token, body: { name, domain: `${name}.example.com` } });
  const e = await call('POST', '/agent/v1/enroll', { body: { code: hda.body.enrollment_code, hostname: `${name}-box` } });
  if (e.status !== 200) throw new Error(`enroll ${name}: ${JSON.stringify(e.body)}`);
  return { hdaId: hda.body.hda.id, agent: e.body.token };
}

/** The agent's task right now (a poll that does not wait), or null. */
export async function take(agent: string): Promise<{ id: string; kind: string } | null> {
  const r = await call('GET', '/agent/v1/tasks?wait=0', { token: agent });
  return r.status === 200 ? r.body.tasks[0] : null;
}
