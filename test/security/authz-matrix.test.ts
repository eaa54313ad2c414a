/**
 * Authorization matrix: every route of the OpenAPI document × every kind of caller, each cell's
 * expected status derived from ONE table (ROUTES) and a handful of rules (expectedStatus). A route
 * that appears in the document without a row here fails the test, and so does a row for a route
 * that no longer exists.
 *
 * Every cell gets a fresh fixture (owner A's enrolled HDA with an install and its queued task), so a
 * call that mutates (revoke, logout, an action, a result) cannot change the outcome of a later cell.
 * Session principals spend a fresh login on the one route that revokes the caller (logout).
 */
import { SignJWT, base64url } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, createTestPlane, enrolledHda, publishApp, SIMPLE_COMPOSE, type TestPlane } from '../helpers/plane';
import { dbState, writesBetween } from './db-state';

type Role = 'owner' | 'publisher' | 'admin';

/** What a cell runs against: built fresh for every cell. */
interface Fixture {
  n: number;
  hdaId: string;
  agentToken: string;
  installId: string;
  taskId: string;
  /** Set by a row's `prepare`. */
  extra: Record<string, string>;
}

interface Row {
  /** public: anyone; session: a signed-in user (/api); agent: an enrolled HDA's agent token (/agent). */
  auth: 'public' | 'session' | 'agent';
  /** Role gate (admin always passes): any other signed-in user gets 403. */
  roles?: Role[];
  /**
   * The route acts on owner A's HDA, install or task. Sessions: owner A and admin pass, every other
   * user gets 404 (another owner's things are indistinguishable from missing ones). Agents: the agent
   * of HDA A passes, another HDA's agent gets `otherAgent` (404 unless said otherwise).
   */
  scope?: 'hdaA';
  /** Status for another HDA's agent on a scoped agent route. */
  otherAgent?: number;
  /** Status when the call is allowed. */
  ok: number;
  body?: (fx: Fixture) => unknown;
  prepare?: (fx: Fixture) => Promise<Record<string, string>>;
  /** The call revokes the caller's own session: session principals use a fresh login for it. */
  spendsSession?: boolean;
  /** Not in the OpenAPI document (the document itself, the health check). */
  undocumented?: boolean;
  /** Answers something other than JSON when allowed (a script, a file). */
  notJson?: boolean;
}

// ---------------------------------------------------------------------------------------------
// The one table. Keys are `METHOD path` exactly as in /api/openapi.json.
// ---------------------------------------------------------------------------------------------
const ROUTES: Record<string, Row> = {
  'POST /api/auth/login': { auth: 'public', ok: 200, body: () => ({ email: users.ownerA.email, password: users.ownerA.password }) },
  'POST /api/auth/logout': { auth: 'session', ok: 200, spendsSession: true },
  'GET /api/auth/me': { auth: 'session', ok: 200 },

  'POST /api/users': {
    auth: 'session',
    roles: ['admin'],
    ok: 201,
    body: (fx) => ({ email: `made${fx.n}@example.com`, password: 'a-long-password-1', role: 'owner' }),
  },
  'GET /api/users': { auth: 'session', roles: ['admin'], ok: 200 },
  'GET /api/audit': { auth: 'session', roles: ['admin'], ok: 200 },
  'PATCH /api/users/{id}': { auth: 'session', roles: ['admin'], ok: 200, prepare: (fx) => spareUser(fx), body: () => ({ role: 'publisher', disabled: true }) },
  'DELETE /api/users/{id}': { auth: 'session', roles: ['admin'], ok: 200, prepare: (fx) => spareUser(fx) },
  'PUT /api/users/{id}/password': {
    auth: 'session',
    roles: ['admin'],
    ok: 200,
    prepare: (fx) => spareUser(fx),
    body: () => ({ password: 'a-new-password-1' }),
  },
  // Every signed-in user may change their own password; the current one given here is wrong for all
  // of them, so each gets the field refusal (400, never 401): the change itself is in auth-users.test.ts.
  'PUT /api/account/password': { auth: 'session', ok: 400, body: () => ({ current_password: 'not-the-password', new_password: 'a-new-password-1' }) },

  'GET /api/catalog/apps': { auth: 'public', ok: 200 },
  'POST /api/catalog/apps': { auth: 'session', roles: ['publisher'], ok: 201, body: (fx) => ({ slug: `app-${fx.n}`, name: `App ${fx.n}` }) },
  'GET /api/catalog/apps/{slug}': { auth: 'public', ok: 200 },
  'POST /api/catalog/apps/{slug}/versions': {
    auth: 'session',
    roles: ['publisher'],
    ok: 201,
    body: (fx) => ({ version: `2.${fx.n}`, kind: 'container', compose: SIMPLE_COMPOSE }),
  },
  'POST /api/catalog/apps/{slug}/versions/preview': {
    auth: 'session',
    roles: ['publisher'],
    ok: 200,
    body: (fx) => ({ version: `3.${fx.n}`, kind: 'container', compose: SIMPLE_COMPOSE }),
  },
  'GET /api/catalog/keys': { auth: 'public', ok: 200 },

  'POST /api/hdas': { auth: 'session', ok: 201, body: (fx) => ({ name: `new ${fx.n}`, domain: `new${fx.n}.example.com` }) },
  'GET /api/hdas': { auth: 'session', ok: 200 },
  'GET /api/hdas/{id}': { auth: 'session', scope: 'hdaA', ok: 200 },
  'GET /api/hdas/{id}/ca.crt': { auth: 'session', scope: 'hdaA', ok: 200, notJson: true, prepare: (fx) => reportCa(fx) },
  'POST /api/hdas/{id}/enrollment': { auth: 'session', scope: 'hdaA', ok: 200 },
  'POST /api/hdas/{id}/revoke': { auth: 'session', scope: 'hdaA', ok: 200 },
  'DELETE /api/hdas/{id}': { auth: 'session', scope: 'hdaA', ok: 200 },
  'POST /api/hdas/{id}/installs': { auth: 'session', scope: 'hdaA', ok: 201, body: () => ({ app: 'world' }) },

  'GET /api/installs': { auth: 'session', ok: 200 },
  'GET /api/installs/{id}': { auth: 'session', scope: 'hdaA', ok: 200 },
  'GET /api/installs/{id}/deployments': { auth: 'session', scope: 'hdaA', ok: 200 },
  'POST /api/installs/{id}/actions': { auth: 'session', scope: 'hdaA', ok: 202, body: () => ({ action: 'stop' }) },

  // Settings change once the install's own task is done (a queued task carries the settings it was queued with).
  'PUT /api/installs/{id}/limits': {
    auth: 'session',
    scope: 'hdaA',
    ok: 202,
    prepare: (fx) => finishFixtureTask(fx),
    body: () => ({ cpus: 0.5, memory_mb: 256 }),
  },
  'PUT /api/installs/{id}/port': { auth: 'session', scope: 'hdaA', ok: 202, prepare: (fx) => finishFixtureTask(fx), body: () => ({ host_port: 40123 }) },
  'POST /api/installs/{id}/logs': { auth: 'session', scope: 'hdaA', ok: 202, body: () => ({ tail: 10 }) },
  'GET /api/installs/{id}/metrics': { auth: 'session', scope: 'hdaA', ok: 200 },
  'GET /api/installs/{id}/updates': { auth: 'session', scope: 'hdaA', ok: 200 },
  'PUT /api/installs/{id}/updates': { auth: 'session', scope: 'hdaA', ok: 200, body: () => ({ hold: true }) },
  'GET /api/installs/{id}/backup': { auth: 'session', scope: 'hdaA', ok: 200 },
  'PUT /api/installs/{id}/backup': { auth: 'session', scope: 'hdaA', ok: 200, body: () => ({ mode: 'excluded' }) },
  'GET /api/installs/{id}/snapshots': { auth: 'session', scope: 'hdaA', ok: 200 },
  'POST /api/installs/{id}/snapshots': { auth: 'session', scope: 'hdaA', ok: 202 },
  // A snapshot of install A's data, reported by its agent with the fixture's task.
  'POST /api/installs/{id}/snapshots/{snapshot}/restore': {
    auth: 'session',
    scope: 'hdaA',
    ok: 202,
    prepare: (fx) => finishFixtureTask(fx, true),
    body: () => ({ confirm: true }),
  },
  'POST /api/hdas/{id}/prune': { auth: 'session', scope: 'hdaA', ok: 202 },
  'GET /api/hdas/{id}/backup': { auth: 'session', scope: 'hdaA', ok: 200 },
  // The fixture's agent has sent no backup key: the owner (or an admin) is told to wait, others get 404.
  'PUT /api/hdas/{id}/backup': { auth: 'session', scope: 'hdaA', ok: 409, body: () => BACKUP_PLAN },
  'POST /api/hdas/{id}/backup/run': { auth: 'session', scope: 'hdaA', ok: 409 },
  'GET /api/hdas/{id}/lan-settings': { auth: 'session', scope: 'hdaA', ok: 200 },
  'PUT /api/hdas/{id}/lan-settings': { auth: 'session', scope: 'hdaA', ok: 202, body: () => ({ names: 'off', https_redirect: true, certificates: 'ca' }) },
  // HDA A named as its own replacement: its owner is told why not, others do not learn it exists.
  'POST /api/hdas/{id}/replace': { auth: 'session', scope: 'hdaA', ok: 400, body: (fx) => ({ old_hda: fx.hdaId }) },

  'GET /api/tasks/{id}': { auth: 'session', scope: 'hdaA', ok: 200 },
  // The fixture's task is still queued, so it can be taken back.
  'POST /api/tasks/{id}/cancel': { auth: 'session', scope: 'hdaA', ok: 200 },

  // A fleet deployment naming HDA A: only its owner (or an admin) may include it.
  'POST /api/batches': { auth: 'session', scope: 'hdaA', ok: 201, body: (fx) => ({ app: 'world', hdas: [fx.hdaId] }) },
  'GET /api/batches': { auth: 'session', ok: 200 },
  'GET /api/batches/{id}': {
    auth: 'session',
    scope: 'hdaA',
    ok: 200,
    prepare: async (fx) => {
      const b = await plane.json('POST', '/api/batches', { token: users.ownerA.token, body: { app: 'world', hdas: [fx.hdaId] } });
      if (b.status !== 201) throw new Error(`batch create failed: ${JSON.stringify(b.body)}`);
      return { batchId: b.body.batch.id };
    },
  },

  'POST /agent/v1/enroll': {
    auth: 'public',
    ok: 200,
    prepare: async (fx) => {
      const h = await plane.json('POST', '/api/hdas', { token: users.ownerA.token, body: { name: `pending ${fx.n}`, domain: `p${fx.n}.example.com` } });
      return { code: h.body.enrollment_code };
    },
    body: (fx) => ({ code: fx.extra.code, hostname: 'box' }),
  },
  // The agent of HDA A claims A's queued task; another HDA's agent sees an empty queue.
  'GET /agent/v1/tasks': { auth: 'agent', scope: 'hdaA', ok: 200, otherAgent: 204 },
  'POST /agent/v1/tasks/{id}/events': { auth: 'agent', scope: 'hdaA', ok: 200, body: () => [{ seq: 1, status: 'Starting', step: 'pull', message: 'pulling' }] },
  'POST /agent/v1/tasks/{id}/result': { auth: 'agent', scope: 'hdaA', ok: 200, body: () => ({ state: 'failed', detail: 'matrix' }) },
  // Release answers { released } for any id (a missing task is simply not released): another HDA's
  // agent gets { released: false } and A's claimed task stays claimed (the no-write check below).
  'POST /agent/v1/tasks/{id}/release': {
    auth: 'agent',
    scope: 'hdaA',
    ok: 200,
    otherAgent: 200,
    prepare: async (fx) => {
      const claimed = await plane.json('GET', '/agent/v1/tasks', { token: fx.agentToken });
      if (claimed.body?.tasks?.[0]?.id !== fx.taskId) throw new Error('could not claim the fixture task');
      return {};
    },
  },
  'POST /agent/v1/heartbeat': { auth: 'agent', ok: 200, body: () => ({}) },

  'GET /agent/v1/install.sh': { auth: 'public', ok: 200, notJson: true },
  'GET /agent/v1/hda-agent.mjs': { auth: 'public', ok: 200, notJson: true },
  'GET /healthz': { auth: 'public', ok: 200, undocumented: true },
  'GET /api/openapi.json': { auth: 'public', ok: 200, undocumented: true },
};

// ---------------------------------------------------------------------------------------------
// Principals
// ---------------------------------------------------------------------------------------------
interface Principal {
  name: string;
  /** A valid, live user session with this role. */
  session?: Role;
  /** Owns HDA A. */
  ownsA?: boolean;
  /** A valid agent token: of HDA A, or of another HDA. */
  agent?: 'A' | 'other';
  /** Carries its session in the cookie from another site (no Authorization header). */
  crossSiteCookie?: boolean;
  headers(fx: Fixture, fresh: boolean): Promise<Record<string, string>>;
}

/** The rules: the expected status of one cell. */
function expectedStatus(key: string, row: Row, p: Principal): number {
  const [method, path] = key.split(' ');
  // CSRF guard: a state-changing /api call riding on a cookie from another site is refused first.
  if (p.crossSiteCookie && path.startsWith('/api/') && method !== 'GET') return 403;
  if (row.auth === 'public') return row.ok;
  if (row.auth === 'session') {
    if (!p.session) return 401; // anonymous, agent tokens, revoked/expired/forged tokens
    if (row.roles && p.session !== 'admin' && !row.roles.includes(p.session)) return 403;
    if (row.scope && p.session !== 'admin' && !p.ownsA) return 404;
    return row.ok;
  }
  if (!p.agent) return 401; // anonymous, user sessions, revoked agent, forged tokens
  if (row.scope && p.agent !== 'A') return row.otherAgent ?? 404;
  return row.ok;
}

let plane: TestPlane;
let n = 0;
interface Account {
  id: string;
  email: string;
  password: string;
  token: string;
}
const users = {} as Record<'ownerA' | 'ownerB' | 'publisher' | 'admin', Account>;
let agentB: string;
let revokedAgent: string;
let expiredToken: string;
let foreignKeyToken: string;
let algNoneToken: string;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function login(email: string, password: string): Promise<string> {
  return plane.login(email, password);
}

/** A session shaped exactly like the server's (HS256, issuer, jti, sub, role), signed with `secret`. */
async function mintSession(secret: Uint8Array, sub: string, nowMs: number) {
  const nowS = Math.floor(nowMs / 1000);
  return new SignJWT({ email: ADMIN.email, role: 'admin' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setIssuer('hda-control-plane')
    .setJti(crypto.randomUUID())
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + 3600)
    .sign(secret);
}

function unsignedSession(sub: string, nowMs: number) {
  const nowS = Math.floor(nowMs / 1000);
  const enc = (o: object) => base64url.encode(new TextEncoder().encode(JSON.stringify(o)));
  const claims = { email: ADMIN.email, role: 'admin', sub, iss: 'hda-control-plane', jti: crypto.randomUUID(), iat: nowS, exp: nowS + 3600 };
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
}

const session = (who: keyof typeof users, role: Role, ownsA = false): Principal => ({
  name: who,
  session: role,
  ownsA,
  headers: async (_fx, fresh) => bearer(fresh ? await login(users[who].email, users[who].password) : users[who].token),
});

const PRINCIPALS: Principal[] = [
  { name: 'anonymous', headers: async () => ({}) },
  session('ownerA', 'owner', true),
  session('ownerB', 'owner'),
  session('publisher', 'publisher'),
  session('admin', 'admin'),
  { name: 'agent of HDA A', agent: 'A', headers: async (fx) => bearer(fx.agentToken) },
  { name: 'agent of HDA B', agent: 'other', headers: async () => bearer(agentB) },
  { name: 'revoked agent', headers: async () => bearer(revokedAgent) },
  { name: 'expired session', headers: async () => bearer(expiredToken) },
  { name: 'token signed with another key', headers: async () => bearer(foreignKeyToken) },
  { name: 'alg=none token', headers: async () => bearer(algNoneToken) },
  {
    name: 'owner A cookie from another site',
    session: 'owner',
    ownsA: true,
    crossSiteCookie: true,
    headers: async () => ({ cookie: `hda_session=${users.ownerA.token}`, origin: 'https://evil.example' }),
  },
];

async function makeUser(adminToken: string, role: Role, email: string): Promise<Account> {
  const password = `pw-${role}-${email}-long`;
  const r = await plane.json('POST', '/api/users', { token: adminToken, body: { email, password, role } });
  if (r.status !== 201) throw new Error(`user create failed: ${JSON.stringify(r.body)}`);
  return { id: r.body.id, email, password, token: await login(email, password) };
}

/** A user no cell signs in as, for the routes that change or delete one. */
async function spareUser(fx: Fixture): Promise<Record<string, string>> {
  const r = await plane.json('POST', '/api/users', {
    token: users.admin.token,
    body: { email: `spare${fx.n}@example.com`, password: 'a-long-password-1', role: 'owner' },
  });
  if (r.status !== 201) throw new Error(`spare user create failed: ${JSON.stringify(r.body)}`);
  return { userId: r.body.id };
}

async function freshFixture(): Promise<Fixture> {
  const i = ++n;
  const { hdaId, agentToken } = await enrolledHda(plane, users.ownerA.token, `a${i}`, `a${i}.example.com`);
  const inst = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: users.ownerA.token, body: { app: 'hello' } });
  if (inst.status !== 201) throw new Error(`install failed: ${JSON.stringify(inst.body)}`);
  return { n: i, hdaId, agentToken, installId: inst.body.install.id, taskId: inst.body.task.id, extra: {} };
}

/** A plan body the schema accepts (a box's shape; nobody opens it here). */
const BACKUP_PLAN = {
  repository_label: 'office',
  every_hours: 24,
  retention: { daily: 7 },
  sealed: {
    alg: 'ECDH-ES+HKDF-SHA256+A256GCM',
    epk: { kty: 'EC', crv: 'P-256', x: 'A'.repeat(43), y: 'B'.repeat(43) },
    iv: 'AAAAAAAAAAAAAAAA',
    ct: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  },
};

/** The agent of HDA A takes the fixture's install task and reports it done. */
async function finishFixtureTask(fx: Fixture, withSnapshot = false): Promise<Record<string, string>> {
  const claimed = await plane.json('GET', '/agent/v1/tasks', { token: fx.agentToken });
  if (claimed.body?.tasks?.[0]?.id !== fx.taskId) throw new Error('could not claim the fixture task');
  const snapshotId = fx.n.toString(16).padStart(64, 'c');
  const snapshots = withSnapshot
    ? [
        {
          id: snapshotId,
          reason: 'manual',
          taken_at: new Date(plane.clock.now).toISOString(),
          size_bytes: 1,
          added_bytes: 1,
          downtime_ms: 1,
          files: 1,
          volumes: [],
        },
      ]
    : undefined;
  const body = { state: 'succeeded', detail: 'installed', ...(snapshots ? { snapshots } : {}) };
  const done = await plane.json('POST', `/agent/v1/tasks/${fx.taskId}/result`, { token: fx.agentToken, body });
  if (done.status !== 200) throw new Error(`could not finish the fixture task: ${JSON.stringify(done.body)}`);
  return withSnapshot ? { snapshotId } : {};
}

/** HDA A's agent reports its CA certificate, so its owner can download it. */
async function reportCa(fx: Fixture): Promise<Record<string, string>> {
  const ca_pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const lan = { names: { mode: 'off' }, https: { port: 443, ca_pem }, apps: [] };
  const r = await plane.json('POST', '/agent/v1/heartbeat', { token: fx.agentToken, body: { lan } });
  if (r.status !== 200) throw new Error(`could not report the CA: ${JSON.stringify(r.body)}`);
  return {};
}

/** Fills the path parameters from the fixture by the resource the path names. */
function concretePath(path: string, fx: Fixture): string {
  return path
    .replace('{slug}', 'hello')
    .replace('{snapshot}', () => fx.extra.snapshotId ?? '{snapshot}')
    .replace(/\/(hdas|installs|tasks|batches|users)\/\{id\}/, (_m, kind: string) => {
      const id = { hdas: fx.hdaId, installs: fx.installId, tasks: fx.taskId, batches: fx.extra.batchId, users: fx.extra.userId }[kind];
      if (!id) throw new Error(`no fixture id for ${path}: give its row a prepare()`);
      return `/${kind}/${id}`;
    })
    .replace(/\{[^}]+\}/, (p) => {
      throw new Error(`no fixture for path parameter ${p} in ${path}: teach concretePath about it`);
    });
}

beforeAll(async () => {
  plane = await createTestPlane();
  // The served agent is whatever the tree last built; the matrix is about who may fetch it.
  plane.deps.agentBundle = { load: async () => ({ body: new Uint8Array([0x2f, 0x2f]), sha256: '0'.repeat(64) }) };
  const ttlMs = plane.deps.config.sessionTtlS * 1000;

  // The expired session: an admin's (the strongest role), valid now, then the clock moves past it.
  expiredToken = await login(ADMIN.email, ADMIN.password);
  expect((await plane.json('GET', '/api/auth/me', { token: expiredToken })).status).toBe(200);
  plane.clock.advance(ttlMs + 60_000);

  const adminToken = await login(ADMIN.email, ADMIN.password);
  const me = await plane.json('GET', '/api/auth/me', { token: adminToken });
  users.admin = { id: me.body.id, email: ADMIN.email, password: ADMIN.password, token: adminToken };
  users.ownerA = await makeUser(adminToken, 'owner', 'owner-a@example.com');
  users.ownerB = await makeUser(adminToken, 'owner', 'owner-b@example.com');
  users.publisher = await makeUser(adminToken, 'publisher', 'publisher@example.com');
  await publishApp(plane, 'hello', { token: users.publisher.token });
  await publishApp(plane, 'world', { token: users.publisher.token });

  agentB = (await enrolledHda(plane, users.ownerB.token, 'b', 'b.example.com')).agentToken;
  const old = await enrolledHda(plane, users.ownerA.token, 'old', 'old.example.com');
  revokedAgent = old.agentToken;
  expect((await plane.json('POST', '/agent/v1/heartbeat', { token: revokedAgent, body: {} })).status).toBe(200);
  expect((await plane.json('POST', `/api/hdas/${old.hdaId}/revoke`, { token: users.ownerA.token })).status).toBe(200);

  // Forged sessions carry valid admin claims; only the key (or its absence) is wrong. The same
  // claims signed with the server's key are accepted, so a refusal is about the signature alone.
  const now = plane.deps.now();
  const genuine = await mintSession(plane.deps.jwtSecret, users.admin.id, now);
  expect((await plane.json('GET', '/api/users', { token: genuine })).status).toBe(200);
  foreignKeyToken = await mintSession(crypto.getRandomValues(new Uint8Array(32)), users.admin.id, now);
  algNoneToken = unsignedSession(users.admin.id, now);

  // The no-write check sees the API's writes (same connection): a fixture shows up in it.
  const before = await dbState(plane);
  await freshFixture();
  expect(writesBetween(before, await dbState(plane)).length).toBeGreaterThan(0);
});

describe('authorization matrix', () => {
  it('has exactly one row for every route in the OpenAPI document', async () => {
    const doc = await plane.json('GET', '/api/openapi.json');
    const documented = Object.entries<Record<string, unknown>>(doc.body.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const rows = Object.entries(ROUTES)
      .filter(([, r]) => !r.undocumented)
      .map(([k]) => k);
    expect(
      documented.filter((k) => !(k in ROUTES)),
      'routes without a matrix row',
    ).toEqual([]);
    // A row whose route is gone is only reported: sessions land routes and rows in either order.
    const stale = rows.filter((k) => !documented.includes(k));
    if (stale.length > 0) console.warn(`authz matrix: rows for routes not in the document (skipped): ${stale.join(', ')}`);
  });

  it('answers every (route, principal) cell as the table says', async () => {
    const doc = await plane.json('GET', '/api/openapi.json');
    const documented = new Set(
      Object.entries<Record<string, unknown>>(doc.body.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    // Routes that revoke the caller run last, so a wrongly accepted token is still tried everywhere.
    const keys = [...documented, ...Object.keys(ROUTES).filter((k) => ROUTES[k].undocumented)].sort(
      (a, b) => Number(!!ROUTES[a]?.spendsSession) - Number(!!ROUTES[b]?.spendsSession),
    );
    const failures: string[] = [];
    let cells = 0;
    let fx: Fixture | null = null;
    const t0 = Date.now();
    let asExpected = 0;

    for (const key of keys) {
      const row = ROUTES[key];
      if (!row) {
        failures.push(`${key}: no matrix row`);
        continue;
      }
      const [method, path] = key.split(' ');
      for (const p of PRINCIPALS) {
        cells++;
        // A cell that was refused left the database exactly as it was (checked below), so its fixture
        // is reused; anything else gets a fresh one.
        if (!fx) fx = await freshFixture();
        if (row.prepare) fx.extra = await row.prepare(fx);
        const headers = await p.headers(fx, !!row.spendsSession && !!p.session && !p.crossSiteCookie);
        const body = row.body?.(fx);
        const want = expectedStatus(key, row, p);
        // Refused, or allowed but about someone else's task: nothing may change.
        const denied = want >= 400 || (row.auth === 'agent' && !!row.scope && p.agent === 'other');
        const before = denied ? await dbState(plane) : null;
        const res = await plane.request(method, concretePath(path, fx), { headers, body });
        const text = await res.text();
        const problems: string[] = [];
        if (res.status !== want) problems.push(`status ${res.status}, expected ${want}`);
        if (before) {
          const writes = writesBetween(before, await dbState(plane));
          if (writes.length > 0) problems.push(`wrote on refusal: ${writes.join(', ')}`);
        }
        if (res.status !== 204 && !(row.notJson && res.status < 400)) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            problems.push('body is not JSON');
          }
          if (res.status >= 400) {
            const e = parsed as { error?: unknown; message?: unknown } | undefined;
            if (typeof e?.error !== 'string' || typeof e?.message !== 'string' || !e.message) problems.push('error body lacks error/message');
          }
        }
        // Nobody but owner A, an admin and HDA A's agent may see A's ids, whatever the status.
        const mayKnowA = p.ownsA || p.session === 'admin' || p.agent === 'A';
        if (!mayKnowA) {
          for (const id of [fx.hdaId, fx.installId, fx.taskId]) if (text.includes(id)) problems.push(`response leaks ${id}`);
        }
        if (!denied || row.prepare || problems.length > 0) fx = null;
        if (problems.length === 0) asExpected++;
        else failures.push(`${key} as ${p.name}: ${problems.join('; ')} — ${text.slice(0, 160)}`);
      }
    }

    const routes = keys.filter((k) => ROUTES[k]).length;
    console.log(
      `authz matrix: ${cells} cells (${routes} routes × ${PRINCIPALS.length} principals), ${asExpected} as expected (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
    expect(failures).toEqual([]);
    expect(cells).toBe(keys.length * PRINCIPALS.length);
  }, 120_000);

  it('really revokes: the revoked agent, logged-out and expired sessions stay refused after the matrix', async () => {
    // The matrix spent fresh logins on logout; the principals' own sessions still work...
    for (const who of ['ownerA', 'ownerB', 'publisher', 'admin'] as const) {
      expect((await plane.json('GET', '/api/auth/me', { token: users[who].token })).status, who).toBe(200);
    }
    // ...and the refused ones are still refused.
    expect((await plane.json('GET', '/agent/v1/tasks', { token: revokedAgent })).status).toBe(401);
    expect((await plane.json('GET', '/api/auth/me', { token: expiredToken })).status).toBe(401);
  });
});
