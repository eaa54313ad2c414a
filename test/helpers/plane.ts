/**
 * An in-memory control plane for API tests: libSQL `:memory:`, driven through `app.request()`,
 * with a clock the test can move and a counter of SQL statements.
 */
import { createControlPlane, type ControlPlaneOptions } from '../../worker/node-server';
import type { Config } from '../../worker/context';
import { responseChecker, type ResponseChecker } from './response-check';

export const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

export interface TestPlane {
  app: Awaited<ReturnType<typeof createControlPlane>>['app'];
  deps: Awaited<ReturnType<typeof createControlPlane>>['deps'];
  clock: { now: number; advance(ms: number): void };
  queries: string[];
  request(method: string, path: string, opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<Response>;
  json<T = any>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T }>;
  login(email: string, password: string): Promise<string>;
  /** Creates a user through the admin API and returns a session token for it. */
  user(role: 'owner' | 'publisher' | 'admin', email?: string): Promise<{ token: string; id: string; email: string }>;
  /** Every answer is checked against its route's declared status and response schema (request() throws when they disagree). */
  responses: ResponseChecker;
}

let counter = 0;

export async function createTestPlane(config: Partial<Config> = {}, opts: Pick<ControlPlaneOptions, 'loginThrottle'> = {}): Promise<TestPlane> {
  const clock = {
    now: Date.UTC(2026, 10, 21, 12, 0, 0),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const queries: string[] = [];
  const { app, deps } = await createControlPlane({
    adminEmail: ADMIN.email,
    adminPassword: ADMIN.password,
    config,
    // Stands still until clock.advance() moves it (deps.stamp() keeps records in order).
    now: () => clock.now,
    onQuery: (q) => queries.push(q),
    ...opts,
  });

  const responses = responseChecker(app);
  /** Throws when a JSON answer (or its status) disagrees with what its route declares. */
  const checked = async (method: string, path: string, res: Response): Promise<Response> => {
    const type = res.headers.get('content-type');
    const text = type?.includes('application/json') ? await res.clone().text() : '';
    const problems = responses.check(method, path, res.status, type, text ? JSON.parse(text) : null);
    if (problems.length > 0) throw new Error(`the answer disagrees with its declaration:\n${problems.join('\n')}`);
    return res;
  };
  const request: TestPlane['request'] = (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) body = opts.raw;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    return Promise.resolve(app.request(`http://localhost${path}`, { method, headers, body })).then((res) => checked(method, path, res));
  };
  const json: TestPlane['json'] = async (method, path, opts) => {
    const res = await request(method, path, opts);
    const text = await res.text();
    const body = text ? JSON.parse(text) : null;
    return { status: res.status, body };
  };
  const login = async (email: string, password: string) => {
    const r = await json('POST', '/api/auth/login', { body: { email, password } });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token as string;
  };
  const adminToken = await login(ADMIN.email, ADMIN.password);
  const user: TestPlane['user'] = async (role, email = `${role}${++counter}@example.com`) => {
    const password = `pw-${role}-${counter}-long`;
    const r = await json('POST', '/api/users', { token: adminToken, body: { email, password, role } });
    if (r.status !== 201) throw new Error(`user create failed: ${JSON.stringify(r.body)}`);
    return { token: await login(email, password), id: r.body.id, email };
  };
  return { app, deps, clock, queries, request, json, login, user, responses };
}

/** A minimal valid compose-spec app version. */
export const SIMPLE_COMPOSE = `services:
  web:
    image: example/hello:1
    container_name: APP_IDENTIFIER
    ports:
      - "HOST_PORT:80"
`;

/** Publishes app `slug` with one version; returns the publisher token. */
export async function publishApp(plane: TestPlane, slug: string, opts: { token?: string; version?: string; compose?: string; install_script?: string } = {}) {
  const token = opts.token ?? (await plane.user('publisher')).token;
  const a = await plane.json('POST', '/api/catalog/apps', { token, body: { slug, name: `App ${slug}`, description: `The ${slug} app` } });
  if (a.status !== 201 && a.status !== 409) throw new Error(`app create failed: ${JSON.stringify(a.body)}`);
  const body: Record<string, unknown> = { version: opts.version ?? '1.0', kind: 'container' };
  if (opts.install_script) body.install_script = opts.install_script;
  else body.compose = opts.compose ?? SIMPLE_COMPOSE;
  const v = await plane.json('POST', `/api/catalog/apps/${slug}/versions`, { token, body });
  if (v.status !== 201) throw new Error(`publish failed: ${JSON.stringify(v.body)}`);
  return { token, version: v.body.version };
}

/** Creates an HDA for `ownerToken` and enrolls an agent; returns both tokens and ids. */
export async function enrolledHda(plane: TestPlane, ownerToken: string, name = 'home', domain = 'home.example.com') {
  const h = await plane.json('POST', '/api/hdas', { token: ownerToken, body: { name, domain } });
  if (h.status !== 201) throw new Error(`hda create failed: ${JSON.stringify(h.body)}`);
  const e = await plane.json('POST', '/agent/v1/enroll', { body: { code: h.body.enrollment_code, hostname: `${name}-host` } });
  if (e.status !== 200) throw new Error(`enroll failed: ${JSON.stringify(e.body)}`);
  return { hdaId: h.body.hda.id as string, agentToken: e.body.token as string, enroll: e.body };
}
