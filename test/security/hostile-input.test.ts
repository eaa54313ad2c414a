/**
 * Hostile input: a corpus of malformed and hostile requests against the API and the agent protocol.
 * Every case must end without a 5xx and without an error in the server log; a refusal must be a 4xx
 * with a JSON `{ error, message }` body and must leave every table exactly as it was (row counts,
 * no row inserted, updated or deleted, same content). Some hostile-looking input is legitimate data
 * (an apostrophe in a name, an emoji): those cases may be accepted, and then their check proves the
 * input was stored literally or flagged, never interpreted.
 */
import { WAIVABLE_RULES } from '../../core/catalog/policy';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN, createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';
import { dbState, writesBesidesOneAuditRow, writesBetween, type DbState } from './db-state';

let plane: TestPlane;

interface World {
  admin: string;
  owner: string;
  owner2: string;
  publisher: string;
  hdaId: string;
  agent: string;
  installId: string;
  /** Queued, never finished: events land here. */
  taskId: string;
  /** Another owner's HDA and agent. */
  hdaB: string;
  agentB: string;
  /** Finished (failed) with events seq 1 and 2. */
  doneTaskId: string;
  doneAgent: string;
  revokedAgent: string;
}
let w: World;

type Opts = { token?: string; headers?: Record<string, string>; json?: unknown; raw?: string | Uint8Array | ReadableStream<Uint8Array>; type?: string | null };

/** One request through app.request(), with full control of the body bytes and the content type. */
function call(method: string, path: string, opts: Opts = {}): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Uint8Array | ReadableStream<Uint8Array> | undefined;
  if (opts.json !== undefined) body = JSON.stringify(opts.json);
  else if (opts.raw !== undefined) body = opts.raw;
  if (body !== undefined) {
    const type = opts.type === undefined ? 'application/json' : opts.type;
    if (type) headers['content-type'] = type;
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers, body: body as BodyInit | undefined };
  if (body instanceof ReadableStream) init.duplex = 'half';
  return Promise.resolve(plane.app.request(`http://localhost${path}`, init));
}

type Ctx = Record<string, string>;
interface Case {
  area: string;
  name: string;
  /** refuse: must be a 4xx. accept: must be a 2xx. either: a clean 4xx or an inert 2xx. */
  expect: 'refuse' | 'accept' | 'either';
  /** The exact status of a refusal, when it matters. */
  status?: number;
  setup?: () => Promise<Ctx>;
  send: (x: Ctx) => Promise<Response>;
  /**
   * For a 2xx: proves the input was kept literally (or flagged), not interpreted. May return a note
   * when it was kept inertly but not byte for byte (printed with the summary).
   */
  check?: (body: any, x: Ctx) => unknown;
  /** A 2xx that must not write either (an idempotent repeat, a read). */
  noWrite?: boolean;
  /** A refusal that is itself recorded (a failed sign-in): it writes its one audit row and nothing else. */
  audited?: boolean;
}

const MiB = 1024 * 1024;
const deepArrays = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObjects = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
const enc = (s: string) => new TextEncoder().encode(s);

/**
 * What the database keeps of a string: libSQL would cut TEXT at the first NUL (the API replaces it), and an unpaired surrogate
 * cannot be encoded as UTF-8 (it becomes U+FFFD). Either is inert, but not literal: returns a note.
 */
function sameOrLossy(stored: string, sent: string): string | undefined {
  if (stored === sent) return undefined;
  if (sent.includes('\u0000') && stored === sent.slice(0, sent.indexOf('\u0000'))) return 'stored cut at the NUL';
  // The API replaces NUL in free text before storing it, so nothing after it is lost.
  if (sent.includes('\u0000') && stored === sent.replace(/\u0000/g, '\uFFFD')) return 'NUL stored as U+FFFD';
  if (stored === sent.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'))
    return 'unpaired surrogate stored as U+FFFD';
  expect(stored).toBe(sent);
}
const bytes = (...parts: Array<string | number[]>) => {
  const chunks = parts.map((p) => (typeof p === 'string' ? enc(p) : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) out.set(c, at), (at += c.length);
  return out;
};
const streamOf = (text: string) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      const b = enc(text);
      for (let i = 0; i < b.length; i += 64 * 1024) c.enqueue(b.subarray(i, i + 64 * 1024));
      c.close();
    },
  });

let seqCounter = 100;
let nameCounter = 0;
const uniq = () => ++nameCounter;

async function ownerGet(path: string, token = w.owner) {
  const r = await call('GET', path, { token });
  expect(r.status, path).toBe(200);
  return (await r.json()) as any;
}
async function eventOf(taskId: string, seq: number) {
  const t = await ownerGet(`/api/tasks/${taskId}`);
  return t.events.find((e: { seq: number }) => e.seq === seq);
}
async function freshCode(): Promise<Ctx> {
  const i = uniq();
  const r = await call('POST', '/api/hdas', { token: w.owner, json: { name: `pending ${i}`, domain: `pending${i}.example.com` } });
  const body = (await r.json()) as any;
  return { code: body.enrollment_code, hdaId: body.hda.id };
}
async function freshTask(): Promise<Ctx> {
  const i = uniq();
  const h = await enrolledHda(plane, w.owner, `t${i}`, `t${i}.example.com`);
  const inst = await plane.json('POST', `/api/hdas/${h.hdaId}/installs`, { token: w.owner, body: { app: 'hello' } });
  return { agent: h.agentToken, taskId: inst.body.task.id, installId: inst.body.install.id, hdaId: h.hdaId };
}
const composeWithVolume = (volume: string) =>
  `services:\n  web:\n    image: example/hello:1\n    ports:\n      - "HOST_PORT:80"\n    volumes:\n      - ${JSON.stringify(volume)}\n`;

/** Parses an SSE body into frames of field lines; throws on a line that is no SSE field. */
function sseFrames(text: string): Array<Record<string, string>> {
  return text
    .split(/\n\n/)
    .filter((f) => f.trim())
    .map((frame) => {
      const fields: Record<string, string> = {};
      for (const line of frame.split('\n')) {
        if (line.startsWith(':')) continue;
        const m = /^(id|event|data|retry): ?(.*)$/.exec(line);
        if (!m) throw new Error(`not an SSE line: ${JSON.stringify(line)}`);
        fields[m[1]] = fields[m[1]] === undefined ? m[2] : `${fields[m[1]]}\n${m[2]}`;
      }
      return fields;
    });
}

async function readStream(res: Response, ms = 3000): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((_, reject) => (timer = setTimeout(() => reject(new Error('stream did not end')), ms)));
  try {
    return await Promise.race([res.text(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function corpus(): Case[] {
  const cases: Case[] = [];
  const refuse = (area: string, name: string, send: Case['send'], extra: Partial<Case> = {}) => cases.push({ area, name, expect: 'refuse', send, ...extra });
  const accept = (area: string, name: string, send: Case['send'], check?: Case['check'], extra: Partial<Case> = {}) =>
    cases.push({ area, name, expect: 'accept', send, check, ...extra });
  const either = (area: string, name: string, send: Case['send'], check?: Case['check'], extra: Partial<Case> = {}) =>
    cases.push({ area, name, expect: 'either', send, check, ...extra });

  const hda = (json: unknown, token = w.owner) => call('POST', '/api/hdas', { token, json });
  const hdaRaw = (raw: Opts['raw'], type?: string | null) => call('POST', '/api/hdas', { token: w.owner, raw, type });
  const events = (json: unknown, token = w.agent, taskId = w.taskId) => call('POST', `/agent/v1/tasks/${taskId}/events`, { token, json });
  const eventsRaw = (raw: string, type?: string | null) => call('POST', `/agent/v1/tasks/${w.taskId}/events`, { token: w.agent, raw, type });
  const heartbeat = (json: unknown) => call('POST', '/agent/v1/heartbeat', { token: w.agent, json });
  const heartbeatRaw = (raw: Opts['raw'], type?: string | null) => call('POST', '/agent/v1/heartbeat', { token: w.agent, raw, type });
  const result = (json: unknown, taskId = w.taskId, token = w.agent) => call('POST', `/agent/v1/tasks/${taskId}/result`, { token, json });
  const install = (json: unknown) => call('POST', `/api/hdas/${w.hdaId}/installs`, { token: w.owner, json });
  const action = (json: unknown) => call('POST', `/api/installs/${w.installId}/actions`, { token: w.owner, json });
  const storedName = (sent: string) => async (body: any) => sameOrLossy((await ownerGet(`/api/hdas/${body.hda.id}`)).hda.name, sent.trim());
  const ev = (message: string, extra: Record<string, unknown> = {}) => ({ seq: ++seqCounter, status: 'OK', message, ...extra });

  // --- Oversized bodies -----------------------------------------------------------------------
  refuse('size', '/api body of 1 MiB + 1 byte', () => hda({ name: 'x'.repeat(MiB), domain: 'a.example.com' }), { status: 413 });
  refuse(
    'size',
    '/api body of 2 MiB streamed without a length',
    () => hdaRaw(streamOf(JSON.stringify({ name: 'x'.repeat(2 * MiB), domain: 'a.example.com' }))),
    { status: 413 },
  );
  refuse(
    'size',
    'Content-Length claiming 100 GB',
    () => call('POST', '/api/hdas', { token: w.owner, raw: '{}', headers: { 'content-length': String(100 * 1024 ** 3) } }),
    { status: 413 },
  );
  refuse('size', '/agent heartbeat of 2 MiB + 1 byte', () => heartbeat({ facts: { os: 'x'.repeat(2 * MiB) } }), { status: 413 });
  refuse(
    'size',
    '500 events of 4,300 characters (> 2 MiB)',
    () => events(Array.from({ length: 500 }, (_, i) => ({ seq: i + 1, status: 'OK', message: 'm'.repeat(4300) }))),
    { status: 413 },
  );
  refuse(
    'size',
    'compose of 256 KiB + 1',
    () =>
      call('POST', '/api/catalog/apps/hello/versions', {
        token: w.publisher,
        json: { version: 'big', kind: 'container', compose: 'x'.repeat(256 * 1024 + 1) },
      }),
    { status: 400 },
  );
  refuse('size', 'event message of 4,001 characters', () => events([ev('m'.repeat(4001))]), { status: 400 });
  refuse('size', 'result detail of 8,001 characters', () => result({ state: 'failed', detail: 'd'.repeat(8001) }), { status: 400 });
  refuse('size', 'rendered compose of 512 KiB + 1', () => result({ state: 'failed', detail: 'd', rendered_compose: 'x'.repeat(512 * 1024 + 1) }), {
    status: 400,
  });
  refuse('size', 'HDA name of 101 characters', () => hda({ name: 'n'.repeat(101), domain: 'a.example.com' }), { status: 400 });
  refuse('size', 'domain of 201 characters', () => hda({ name: 'x', domain: `${'a.'.repeat(100)}com` }), { status: 400 });
  refuse('size', 'domain label of 64 characters', () => hda({ name: 'x', domain: `${'a'.repeat(64)}.example.com` }), { status: 400 });
  refuse('size', 'password of 201 characters', () => call('POST', '/api/auth/login', { json: { email: 'size@example.com', password: 'p'.repeat(201) } }), {
    status: 400,
  });
  refuse(
    'size',
    'enroll hostname of 254 characters',
    () => call('POST', '/agent/v1/enroll', { json: { code: 'AAAAA-AAAAA-AAAAA', hostname: 'h'.repeat(254) } }),
    { status: 400 },
  );
  refuse('size', 'enrollment code of 65 characters', () => call('POST', '/agent/v1/enroll', { json: { code: 'C'.repeat(65), hostname: 'h' } }), {
    status: 400,
  });
  refuse('size', 'catalog search of 101 characters', () => call('GET', `/api/catalog/apps?q=${'q'.repeat(101)}`), { status: 400 });
  refuse('size', 'id of 10,000 characters', () => call('GET', `/api/hdas/${'a'.repeat(10_000)}`, { token: w.owner }), { status: 400 });
  refuse('size', 'session token of 100,000 characters', () => call('GET', '/api/hdas', { token: 'a'.repeat(100_000) }), { status: 401 });
  refuse('size', 'agent token of 100,000 characters', () => call('GET', '/agent/v1/tasks', { token: `${w.hdaId}.${'a'.repeat(100_000)}` }), { status: 401 });

  // --- Deep JSON ------------------------------------------------------------------------------
  refuse('depth', '10,000 nested arrays as the /api body', () => hdaRaw(deepArrays(10_000)), { status: 400 });
  refuse('depth', '10,000 nested arrays as a name', () => hdaRaw(`{"name":${deepArrays(10_000)},"domain":"a.example.com"}`), { status: 400 });
  refuse('depth', '1,000,000 nested arrays as the agent body (2 MB)', () => heartbeatRaw(deepArrays(1_000_000)), { status: 400 });
  refuse('depth', '10,000 nested arrays in a fact', () => heartbeatRaw(`{"facts":{"os":${deepArrays(10_000)}}}`), { status: 400 });
  refuse(
    'depth',
    '10,000 nested arrays in event data',
    () => eventsRaw(`[{"seq":${++seqCounter},"status":"OK","message":"m","data":{"x":${deepArrays(10_000)}}}]`),
    { status: 400 },
  );
  refuse(
    'depth',
    '100,000 nested objects in event data',
    () => eventsRaw(`[{"seq":${++seqCounter},"status":"OK","message":"m","data":${deepObjects(100_000)}}]`),
    { status: 400 },
  );
  refuse(
    'depth',
    '33 nested objects in event data (one over the limit)',
    () => eventsRaw(`[{"seq":${++seqCounter},"status":"OK","message":"m","data":${deepObjects(33)}}]`),
    { status: 400 },
  );
  accept(
    'depth',
    '32 nested objects in event data (the limit)',
    () => eventsRaw(`[{"seq":${++seqCounter},"status":"OK","message":"m","data":${deepObjects(32)}}]`),
    async () => {
      const e = await eventOf(w.taskId, seqCounter);
      expect(JSON.stringify(e.data)).toBe(deepObjects(32));
    },
  );
  refuse(
    'depth',
    '10,000 nested arrays in result images',
    () => call('POST', `/agent/v1/tasks/${w.taskId}/result`, { token: w.agent, raw: `{"state":"failed","detail":"d","images":{"x":${deepArrays(10_000)}}}` }),
    { status: 400 },
  );
  refuse(
    'depth',
    '10,000 nested arrays in enroll facts',
    () => call('POST', '/agent/v1/enroll', { raw: `{"code":"x","hostname":"h","facts":{"os":${deepArrays(10_000)}}}` }),
    { status: 400 },
  );
  refuse('depth', '10,000 nested objects as login', () => call('POST', '/api/auth/login', { raw: deepObjects(10_000) }), { status: 400 });

  // --- Wrong types ----------------------------------------------------------------------------
  for (const [label, json] of [
    ['name is a number', { name: 123, domain: 'a.example.com' }],
    ['name is null', { name: null, domain: 'a.example.com' }],
    ['name is an array', { name: ['x'], domain: 'a.example.com' }],
    ['domain is an object', { name: 'x', domain: {} }],
    ['tags is a string', { name: 'x', domain: 'a.example.com', tags: 'web' }],
    ['tags holds numbers', { name: 'x', domain: 'a.example.com', tags: [1] }],
    ['body is an array', [{ name: 'x', domain: 'a.example.com' }]],
    ['body is a string', 'name=x'],
    ['body is a number', 42],
    ['body is null', null],
    ['body is true', true],
  ] as const) {
    refuse('types', `HDA: ${label}`, () => hda(json), { status: 400 });
  }
  refuse(
    'types',
    'user: role "root"',
    () => call('POST', '/api/users', { token: w.admin, json: { email: 'root@example.com', password: 'long-enough-1', role: 'root' } }),
    { status: 400 },
  );
  refuse(
    'types',
    'user: role is an array',
    () => call('POST', '/api/users', { token: w.admin, json: { email: 'arr@example.com', password: 'long-enough-1', role: ['admin'] } }),
    { status: 400 },
  );
  refuse('types', 'login: email is {"$ne": null}', () => call('POST', '/api/auth/login', { json: { email: { $ne: null }, password: 'x' } }), { status: 400 });
  refuse('types', 'install: app is a number', () => install({ app: 1 }), { status: 400 });
  refuse('types', 'install: policy_exceptions is a string', () => install({ app: 'world', policy_exceptions: 'privileged' }), { status: 400 });
  refuse('types', 'install: unknown waiver', () => install({ app: 'world', policy_exceptions: ['everything'] }), { status: 400 });
  refuse('types', 'action: "destroy"', () => action({ action: 'destroy' }), { status: 400 });
  refuse('types', 'action: purge is "yes"', () => action({ action: 'uninstall', purge: 'yes' }), { status: 400 });
  refuse('types', 'action: deployment is not an id', () => action({ action: 'rollback', deployment: 'last' }), { status: 400 });
  refuse('types', 'events: an object, not an array', () => events({ seq: 1, status: 'OK', message: 'm' }), { status: 400 });
  refuse('types', 'events: status "Done"', () => events([{ seq: 1, status: 'Done', message: 'm' }]), { status: 400 });
  refuse('types', 'events: message is null', () => events([{ seq: 1, status: 'OK', message: null }]), { status: 400 });
  refuse('types', 'events: step of 41 characters', () => events([ev('m', { step: 's'.repeat(41) })]), { status: 400 });
  refuse('types', 'events: data is an array', () => events([ev('m', { data: [1, 2] })]), { status: 400 });
  refuse('types', 'events: data is a string', () => events([ev('m', { data: 'x' })]), { status: 400 });
  refuse('types', 'result: state "running"', () => result({ state: 'running', detail: 'd' }), { status: 400 });
  refuse('types', 'result: no detail', () => result({ state: 'failed' }), { status: 400 });
  refuse('types', 'result: images is an array', () => result({ state: 'failed', detail: 'd', images: ['a'] }), { status: 400 });
  refuse('types', 'result: app_state "exploded"', () => result({ state: 'failed', detail: 'd', app_state: 'exploded' }), { status: 400 });
  refuse('types', 'heartbeat: apps is an object', () => heartbeat({ apps: {} }), { status: 400 });
  refuse('types', 'heartbeat: app state "on fire"', () => heartbeat({ apps: [{ identifier: 'hello', state: 'on fire' }] }), { status: 400 });
  refuse('types', 'heartbeat: facts is an array', () => heartbeat({ facts: ['linux'] }), { status: 400 });
  refuse('types', 'heartbeat: a fact is an object', () => heartbeat({ facts: { os: { name: 'linux' } } }), { status: 400 });
  refuse('types', 'heartbeat: cpu_percent is "NaN"', () => heartbeat({ apps: [{ identifier: 'hello', state: 'running', cpu_percent: 'NaN' }] }), {
    status: 400,
  });
  for (const wait of ['abc', '-1', '31', '1e400', '1.5', '0x1F']) {
    refuse('types', `poll: wait=${JSON.stringify(wait)}`, () => call('GET', `/agent/v1/tasks?wait=${wait}`, { token: w.agent }), { status: 400 });
  }
  refuse('types', 'poll: wait given twice', () => call('GET', '/agent/v1/tasks?wait=1&wait=2', { token: w.agent }), { status: 400 });
  refuse('types', 'enroll: code is a number', () => call('POST', '/agent/v1/enroll', { json: { code: 12345, hostname: 'h' } }), { status: 400 });
  refuse('types', 'enroll: hostname is an array', () => call('POST', '/agent/v1/enroll', { json: { code: 'x', hostname: ['h'] } }), { status: 400 });
  refuse('types', 'catalog search given twice', () => call('GET', '/api/catalog/apps?q=a&q=b'), { status: 400 });

  // --- Unicode tricks in names and hostnames --------------------------------------------------
  for (const [label, name] of [
    ['right-to-left override', 'home\u202Egnp.exe'],
    ['zero-width space and joiner', 'ho\u200Bme\u200D'],
    ['emoji', '🏠 home 🚀'],
    ['combining marks', 'ho\u0301\u0302\u0303me'],
    ['lone surrogate', 'a\uD800b'],
    ['line and paragraph separators', 'a\u2028b\u2029c'],
    ['next line (U+0085)', 'a\u0085b'],
  ] as const) {
    either('unicode', `HDA name with ${label}`, () => hda({ name, domain: `u${uniq()}.example.com` }), storedName(name));
  }
  refuse('unicode', 'HDA name with NUL', () => hda({ name: 'home\u0000', domain: 'a.example.com' }), { status: 400 });
  refuse('unicode', 'HDA name of whitespace only', () => hda({ name: ' \t ', domain: 'a.example.com' }), { status: 400 });
  refuse('unicode', 'HDA name of 101 emoji', () => hda({ name: '🏠'.repeat(101), domain: 'a.example.com' }), { status: 400 });
  for (const [label, domain] of [
    ['a Cyrillic homoglyph', 'ex\u0430mple.com'],
    ['fullwidth letters', '\uFF45xample.com'],
    ['a zero-width space', 'home\u200B.example.com'],
    ['ideographic full stops', 'home\u3002example\u3002com'],
    ['an umlaut (not punycode)', 'b\u00FCcher.example'],
    ['a trailing dot', 'home.example.com.'],
    ['a leading dash', '-home.example.com'],
    ['NUL', 'home.example.com\u0000'],
    ['an RTL override', 'home.\u202Emoc.elpmaxe'],
    ['a space', 'home example.com'],
    ['an @ (userinfo)', 'user@home.example.com'],
    ['a port', 'home.example.com:8080'],
  ] as const) {
    refuse('unicode', `domain with ${label}`, () => hda({ name: 'x', domain }), { status: 400 });
  }
  accept(
    'unicode',
    'punycode domain (valid ASCII DNS name)',
    () => hda({ name: `x ${uniq()}`, domain: 'xn--80ak6aa92e.com' }),
    (b) => expect(b.hda.domain).toBe('xn--80ak6aa92e.com'),
  );
  accept(
    'unicode',
    'upper-case domain is stored lower-case',
    () => hda({ name: `x ${uniq()}`, domain: 'HOME.Example.COM' }),
    (b) => expect(b.hda.domain).toBe('home.example.com'),
  );
  refuse('unicode', 'app slug with a Cyrillic e', () => call('POST', '/api/catalog/apps', { token: w.publisher, json: { slug: 'h\u0435llo', name: 'x' } }), {
    status: 400,
  });
  either(
    'unicode',
    'app name with an RTL override',
    () => call('POST', '/api/catalog/apps', { token: w.publisher, json: { slug: `rtl-${uniq()}`, name: 'App\u202Eevil' } }),
    (b) => expect(b.app.name).toBe('App\u202Eevil'),
  );
  refuse('unicode', 'tag with unicode', () => hda({ name: 'x', domain: 'a.example.com', tags: ['w\u00E9b'] }), { status: 400 });
  refuse(
    'unicode',
    'email with an RTL override',
    () => call('POST', '/api/users', { token: w.admin, json: { email: 'adm\u202Ein@example.com', password: 'long-enough-1', role: 'owner' } }),
    { status: 400 },
  );
  for (const [label, hostname] of [
    ['CRLF', 'box\r\nX-Injected: 1'],
    ['NUL', 'box\u0000'],
    ['an RTL override', 'box\u202Etxt.exe'],
    ['a zero-width space', 'b\u200Box'],
    ['emoji', '📦box'],
  ] as const) {
    either(
      'unicode',
      `enroll hostname with ${label}`,
      (x) => call('POST', '/agent/v1/enroll', { json: { code: x.code, hostname } }),
      async (b) => {
        return sameOrLossy((await ownerGet(`/api/hdas/${b.hda_id}`)).hda.hostname, hostname);
      },
      { setup: freshCode },
    );
  }
  accept(
    'unicode',
    'facts with an RTL override and NUL',
    () => heartbeat({ facts: { os: 'Linux\u202E\u0000' } }),
    async () => {
      const stored = await ownerGet(`/api/hdas/${w.hdaId}`);
      expect(stored.hda.facts.os).toBe('Linux\u202E\u0000');
    },
  );
  accept(
    'unicode',
    'event message with RTL and emoji',
    () => events([ev('a\u202Eb🚀')]),
    async () => expect((await eventOf(w.taskId, seqCounter)).message).toBe('a\u202Eb🚀'),
  );
  accept(
    'unicode',
    'event message with NUL',
    () => events([ev('shown\u0000hidden')]),
    async () => sameOrLossy((await eventOf(w.taskId, seqCounter)).message, 'shown\u0000hidden'),
  );
  accept(
    'unicode',
    'result detail with NUL',
    (x) => result({ state: 'failed', detail: 'shown\u0000hidden' }, x.taskId, x.agent),
    async (_b, x) => sameOrLossy((await ownerGet(`/api/tasks/${x.taskId}`)).task.detail, 'shown\u0000hidden'),
    { setup: freshTask },
  );
  either(
    'unicode',
    'app description with NUL',
    () => call('POST', '/api/catalog/apps', { token: w.publisher, json: { slug: `nul-${uniq()}`, name: 'x', description: 'shown\u0000hidden' } }),
    async (b) => sameOrLossy((await ownerGet(`/api/catalog/apps/${b.app.slug}`)).app.description, 'shown\u0000hidden'),
  );
  accept(
    'unicode',
    'catalog search with an RTL override and NUL',
    () => call('GET', `/api/catalog/apps?q=${encodeURIComponent('\u202E\u0000')}`),
    (b) => expect(b.apps).toEqual([]),
    { noWrite: true },
  );

  // --- Header and stream injection ------------------------------------------------------------
  refuse('injection', 'domain with CRLF and a header', () => hda({ name: 'x', domain: 'home.example.com\r\nSet-Cookie: injected=1' }), { status: 400 });
  refuse('injection', 'domain with an encoded CRLF', () => hda({ name: 'x', domain: 'home.example.com%0d%0aX-Injected:1' }), { status: 400 });
  refuse('injection', 'HDA name with CRLF', () => hda({ name: 'x\r\nX-Injected: 1', domain: 'a.example.com' }), { status: 400 });
  refuse(
    'injection',
    'app name with CRLF',
    () => call('POST', '/api/catalog/apps', { token: w.publisher, json: { slug: 'crlf', name: 'x\r\nX-Injected: 1' } }),
    { status: 400 },
  );
  refuse(
    'injection',
    'version with CRLF',
    () =>
      call('POST', '/api/catalog/apps/hello/versions', {
        token: w.publisher,
        json: { version: '1\r\nX-Injected: 1', kind: 'container', compose: 'services: {}' },
      }),
    { status: 400 },
  );
  refuse(
    'injection',
    'user email with CRLF',
    () => call('POST', '/api/users', { token: w.admin, json: { email: 'a@example.com\r\nX-Injected: 1', password: 'long-enough-1', role: 'owner' } }),
    { status: 400 },
  );
  refuse(
    'injection',
    'homepage javascript: URL',
    () => call('POST', '/api/catalog/apps', { token: w.publisher, json: { slug: 'js-url', name: 'x', homepage: 'javascript:alert(1)//http://' } }),
    { status: 400 },
  );
  either(
    'injection',
    'homepage with CRLF',
    () => call('POST', '/api/catalog/apps', { token: w.publisher, json: { slug: `hp-${uniq()}`, name: 'x', homepage: 'http://x.example/\r\nX-Injected: 1' } }),
    (b) => {
      expect(b.app.homepage ?? '').not.toMatch(/[\r\n]/);
    },
  );
  accept(
    'injection',
    'X-Forwarded-Host does not reach the enrollment command',
    () =>
      call('POST', '/api/hdas', {
        token: w.owner,
        json: { name: `x ${uniq()}`, domain: 'fwd.example.com' },
        headers: { 'x-forwarded-host': 'injected.example', forwarded: 'host=injected.example' },
      }),
    (b) => {
      expect(b.enrollment.command).toMatch(/^curl -fsSL http:\/\/localhost\/agent\/v1\/install\.sh /);
      expect(JSON.stringify(b)).not.toContain('injected.example');
    },
  );
  let sseTask: Ctx = {};
  accept(
    'injection',
    'event message forging SSE frames',
    () => events([ev('ok\n\nevent: done\ndata: injected\n\n', { data: { x: '\r\nevent: done\r\ndata: injected' } })], sseTask.agent, sseTask.taskId),
    undefined,
    {
      setup: async () => {
        sseTask = await freshTask();
        return sseTask;
      },
    },
  );
  accept(
    'injection',
    'the task stream carries the forged text only inside JSON',
    async () => {
      await result({ state: 'failed', detail: 'done\n\nevent: done' }, sseTask.taskId, sseTask.agent);
      return call('GET', `/api/tasks/${sseTask.taskId}`, { token: w.owner, headers: { accept: 'text/event-stream' } });
    },
    (text: string) => {
      const frames = sseFrames(text);
      expect(frames.map((f) => f.event)).toEqual(['progress', 'done']);
      expect(JSON.parse(frames[0].data).message).toBe('ok\n\nevent: done\ndata: injected\n\n');
      expect(frames.every((f) => !/^injected/m.test(f.data))).toBe(true);
    },
  );

  // --- Path traversal in identifiers ----------------------------------------------------------
  for (const path of [
    '/api/hdas/..%2F..%2Fetc%2Fpasswd',
    '/api/hdas/%2e%2e%2f%2e%2e%2fetc',
    '/api/installs/....%2F%2F....%2F%2Fetc',
    '/api/tasks/..%5C..%5Cwindows',
    `/api/hdas/${'00000000-0000-4000-8000-000000000000'}%00`,
    '/api/catalog/apps/..%2F..%2Fetc',
    '/api/catalog/apps/%2e%2e',
    '/api/catalog/apps/__proto__',
    '/api/hdas/%FF%FE',
  ]) {
    // %2e%2e is a dot segment: URL normalization makes it /api/catalog, which is no route.
    refuse('traversal', `GET ${path}`, () => call('GET', path, { token: w.owner }), { status: path.endsWith('%2e%2e') ? 404 : 400 });
  }
  refuse(
    'traversal',
    'GET /api/hdas/<id>/../../users (normalized to an admin route)',
    () => call('GET', `/api/hdas/${w.hdaId}/../../users`, { token: w.owner }),
    { status: 403 },
  );
  refuse('traversal', 'GET /api/../../etc/passwd', () => call('GET', '/api/../../etc/passwd', { token: w.owner }), { status: 404 });
  refuse('traversal', 'events to ../ task id', () => call('POST', `/agent/v1/tasks/..%2F..%2Fapi%2Fusers/events`, { token: w.agent, json: [ev('x')] }), {
    status: 400,
  });
  refuse('traversal', 'install app "../../etc"', () => install({ app: '../../etc' }), { status: 400 });
  refuse('traversal', 'install version "../../../etc/passwd"', () => install({ app: 'world', version: '../../../etc/passwd' }), { status: 404 });
  refuse(
    'traversal',
    'publish version "../x"',
    () => call('POST', '/api/catalog/apps/hello/versions', { token: w.publisher, json: { version: '../x', kind: 'container', compose: 'services: {}' } }),
    { status: 400 },
  );
  refuse(
    'traversal',
    'publish version "1.0/../../x"',
    () =>
      call('POST', '/api/catalog/apps/hello/versions', { token: w.publisher, json: { version: '1.0/../../x', kind: 'container', compose: 'services: {}' } }),
    { status: 400 },
  );
  refuse('traversal', 'app slug ".."', () => call('POST', '/api/catalog/apps', { token: w.publisher, json: { slug: '..', name: 'x' } }), { status: 400 });
  refuse(
    'traversal',
    'publish to slug "hello/../world"',
    () =>
      call('POST', '/api/catalog/apps/hello%2F..%2Fworld/versions', { token: w.publisher, json: { version: '9', kind: 'container', compose: 'services: {}' } }),
    { status: 400 },
  );
  refuse(
    'traversal',
    'install script leaving the app folder',
    () =>
      call('POST', '/api/catalog/apps/hello/versions', {
        token: w.publisher,
        json: { version: 'esc-1', kind: 'container', install_script: 'mkdir -p WEBAPP_PATH/../../etc\n' },
      }),
    { status: 400 },
  );

  // --- Path traversal in compose volumes: published only as needing review, never installed ----
  const volumes = [
    '../../etc:/x',
    'WEBAPP_PATH/../../etc:/x',
    '/etc:/x',
    './data/../../../etc:/x',
    'WEBAPP_PATH/..:/x',
    '/var/run/docker.sock:/var/run/docker.sock',
    '~/.ssh:/x',
  ];
  // A path from the agent's environment cannot be waived: the version is refused at publish.
  refuse(
    'traversal',
    'publish with volume $HOME:/x',
    () =>
      call('POST', '/api/catalog/apps/hello/versions', {
        token: w.publisher,
        json: { version: 'home-1', kind: 'container', compose: composeWithVolume('$HOME:/x') },
      }),
    { status: 400 },
  );
  volumes.forEach((volume, i) => {
    accept(
      'traversal',
      `publish with volume ${volume} is flagged`,
      (x) =>
        call('POST', `/api/catalog/apps/${x.slug}/versions`, {
          token: w.publisher,
          json: { version: '1.0', kind: 'container', compose: composeWithVolume(volume) },
        }),
      (b) => {
        expect(b.version.status).toBe('needs_review');
        expect(
          b.version.findings.some((f: { severity: string; rule: string }) => f.severity === 'error' && ['bind-outside-app', 'docker-socket'].includes(f.rule)),
        ).toBe(true);
      },
      {
        setup: async () => {
          const slug = `volp-${i}`;
          await call('POST', '/api/catalog/apps', { token: w.publisher, json: { slug, name: slug } });
          return { slug };
        },
      },
    );
    refuse(
      'traversal',
      `install with volume ${volume} is refused`,
      (x) => call('POST', `/api/hdas/${w.hdaId}/installs`, { token: w.owner, json: { app: x.slug, policy_exceptions: ['privileged'] } }),
      {
        status: 409,
        setup: async () => publishApp(plane, `voli-${i}`, { token: w.publisher, compose: composeWithVolume(volume) }).then(() => ({ slug: `voli-${i}` })),
      },
    );
  });
  refuse(
    'traversal',
    'long-syntax bind of ../../etc is refused at install',
    () => call('POST', `/api/hdas/${w.hdaId}/installs`, { token: w.owner, json: { app: 'vol-long' } }),
    {
      status: 409,
      setup: async () => {
        await publishApp(plane, 'vol-long', {
          token: w.publisher,
          compose:
            'services:\n  web:\n    image: a/b:1\n    ports: ["HOST_PORT:80"]\n    volumes:\n      - type: bind\n        source: ../../etc\n        target: /x\n',
        });
        return {};
      },
    },
  );

  // --- Huge arrays ----------------------------------------------------------------------------
  refuse('arrays', '501 events', () => events(Array.from({ length: 501 }, (_, i) => ({ seq: i + 1, status: 'OK', message: 'm' }))), { status: 400 });
  refuse('arrays', '10,000 events', () => events(Array.from({ length: 10_000 }, (_, i) => ({ seq: i + 1, status: 'OK', message: '' }))), { status: 400 });
  refuse('arrays', '100,000 events (> 2 MiB)', () => events(Array.from({ length: 100_000 }, (_, i) => ({ seq: i + 1, status: 'OK', message: '' }))), {
    status: 413,
  });
  refuse('arrays', 'empty event list', () => events([]), { status: 400 });
  refuse('arrays', '501 app states', () => heartbeat({ apps: Array.from({ length: 501 }, (_, i) => ({ identifier: `a${i}`, state: 'running' })) }), {
    status: 400,
  });
  refuse('arrays', '21 tags', () => hda({ name: 'x', domain: 'a.example.com', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }), { status: 400 });
  refuse('arrays', '10,000 tags', () => hda({ name: 'x', domain: 'a.example.com', tags: Array.from({ length: 10_000 }, () => 'web') }), { status: 400 });
  refuse(
    'arrays',
    'more waivers than waivable rules (repeats)',
    () => install({ app: 'world', policy_exceptions: Array.from({ length: WAIVABLE_RULES.length + 1 }, () => 'privileged') }),
    { status: 400 },
  );
  accept(
    'arrays',
    '500 copies of one event are stored once',
    () => events(Array.from({ length: 500 }, () => ({ seq: 7, status: 'OK', message: 'dup' }))),
    (b) => {
      expect(b).toMatchObject({ accepted: 1, duplicates: 499 });
    },
  );
  accept(
    'arrays',
    'the same 500 again write nothing',
    () => events(Array.from({ length: 500 }, () => ({ seq: 7, status: 'OK', message: 'dup' }))),
    (b) => {
      expect(b).toMatchObject({ accepted: 0, duplicates: 500 });
    },
    { noWrite: true },
  );

  // --- Sequence numbers out of range ----------------------------------------------------------
  for (const seq of ['1000000001', '2147483648', '9007199254740993', '1e308', '1e999', '-1', '0', '-0', '1.5', '"1"', 'null', 'NaN']) {
    refuse('seq', `seq ${seq}`, () => eventsRaw(`[{"seq":${seq},"status":"OK","message":"m"}]`), { status: 400 });
  }
  accept(
    'seq',
    'seq 1,000,000,000 (the largest)',
    () => events([{ seq: 1_000_000_000, status: 'OK', message: 'last' }]),
    (b) => expect(b.last_seq).toBe(1_000_000_000),
  );
  for (const [lei, seqs] of [
    ['1e999', [1, 2]],
    ['-1', [1, 2]],
    ['99999999999999999999999', [1, 2]],
    ['abc', [1, 2]],
    ['1 OR 1=1', [1, 2]],
    ['1', [2]],
  ] as const) {
    accept(
      'seq',
      `task stream resumed with Last-Event-ID ${lei}`,
      () => call('GET', `/api/tasks/${w.doneTaskId}`, { token: w.owner, headers: { accept: 'text/event-stream', 'last-event-id': lei } }),
      (text: string) => {
        const frames = sseFrames(text);
        expect(frames.filter((f) => f.event === 'progress').map((f) => Number(f.id))).toEqual(seqs);
        expect(frames.at(-1)?.event).toBe('done');
      },
      { noWrite: true },
    );
  }
  refuse(
    'seq',
    'limits: memory of 2^53 MB',
    () => call('PUT', `/api/installs/${w.installId}/limits`, { token: w.owner, raw: '{"memory_mb":9007199254740993}' }),
    { status: 400 },
  );
  refuse('seq', 'logs: tail of 10^9', () => call('POST', `/api/installs/${w.installId}/logs`, { token: w.owner, json: { tail: 1e9 } }), { status: 400 });
  refuse('seq', 'metrics: hours=1e400', () => call('GET', `/api/installs/${w.installId}/metrics?hours=1e400`, { token: w.owner }), { status: 400 });

  // --- SQL-ish strings ------------------------------------------------------------------------
  for (const name of ["x'); DROP TABLE hdas; --", '" OR ""="', "Robert'); DELETE FROM users WHERE ('1'='1"]) {
    accept('sql', `HDA name ${name}`, () => hda({ name, domain: `sql${uniq()}.example.com` }), storedName(name));
  }
  for (const q of ["' OR 1=1 --", '%', '_', "hello' --", '\\', '")) UNION SELECT * FROM users --']) {
    accept(
      'sql',
      `catalog search ${JSON.stringify(q)} matches literally`,
      () => call('GET', `/api/catalog/apps?q=${encodeURIComponent(q)}`),
      (b) => expect(b.apps).toEqual([]),
      { noWrite: true },
    );
  }
  // Sign-in reads any text as an answer to check (worker/validation.ts, LoginEmail): a wrong one is a 401.
  refuse('sql', "login with email admin@example.com' --", () => call('POST', '/api/auth/login', { json: { email: "admin@example.com' --", password: 'x' } }), {
    status: 401,
    audited: true,
  });
  refuse('sql', "login with password ' OR '1'='1", () => call('POST', '/api/auth/login', { json: { email: 'nobody@example.com', password: "' OR '1'='1" } }), {
    status: 401,
    audited: true,
  });
  refuse('sql', "enroll with code ' OR 1=1 --", () => call('POST', '/agent/v1/enroll', { json: { code: "' OR 1=1 --", hostname: 'h' } }), { status: 401 });
  refuse('sql', "install version 1.0' OR '1'='1", () => install({ app: 'world', version: "1.0' OR '1'='1" }), { status: 404 });
  refuse('sql', "tag x'--", () => hda({ name: 'x', domain: 'a.example.com', tags: ["x'--"] }), { status: 400 });
  refuse('sql', 'slug in the path', () => call('GET', `/api/catalog/apps/${encodeURIComponent("hello' OR '1'='1")}`), { status: 400 });
  refuse('sql', 'session token " OR 1=1 --', () => call('GET', '/api/hdas', { headers: { authorization: "Bearer ' OR 1=1 --" } }), { status: 401 });
  refuse('sql', 'agent token with SQL', () => call('GET', '/agent/v1/tasks', { token: `${w.hdaId}.' OR 1=1 --xxxxxxxxxxxxxxxxxxxxxx` }), { status: 401 });
  accept(
    'sql',
    'event message with SQL',
    () => events([ev("'); DELETE FROM task_events; --")]),
    async () => expect((await eventOf(w.taskId, seqCounter)).message).toBe("'); DELETE FROM task_events; --"),
  );

  // --- Prototype pollution --------------------------------------------------------------------
  refuse('proto', 'HDA with __proto__', () => hdaRaw('{"name":"x","domain":"a.example.com","__proto__":{"ownerId":"someone"}}'), { status: 400 });
  refuse('proto', 'HDA with constructor.prototype', () => hdaRaw('{"name":"x","domain":"a.example.com","constructor":{"prototype":{"polluted":true}}}'), {
    status: 400,
  });
  refuse(
    'proto',
    'user with __proto__.role',
    () =>
      call('POST', '/api/users', { token: w.admin, raw: '{"email":"p@example.com","password":"long-enough-1","role":"owner","__proto__":{"role":"admin"}}' }),
    { status: 400 },
  );
  refuse(
    'proto',
    'user with role "__proto__"',
    () => call('POST', '/api/users', { token: w.admin, json: { email: 'pp@example.com', password: 'long-enough-1', role: '__proto__' } }),
    { status: 400 },
  );
  refuse(
    'proto',
    'login with __proto__',
    () => call('POST', '/api/auth/login', { raw: `{"email":"${ADMIN.email}","password":"wrong-password","__proto__":{"ok":true}}` }),
    { status: 400 },
  );
  refuse(
    'proto',
    'install with __proto__',
    () => call('POST', `/api/hdas/${w.hdaId}/installs`, { token: w.owner, raw: '{"app":"world","__proto__":{"policy_exceptions":["privileged"]}}' }),
    { status: 400 },
  );
  refuse(
    'proto',
    'action with constructor',
    () => call('POST', `/api/installs/${w.installId}/actions`, { token: w.owner, raw: '{"action":"stop","constructor":{"prototype":{"x":1}}}' }),
    { status: 400 },
  );
  either(
    'proto',
    'facts.__proto__ is an object',
    () => heartbeatRaw('{"facts":{"__proto__":{"polluted":true},"os":"linux"}}'),
    async () => {
      const stored = await ownerGet(`/api/hdas/${w.hdaId}`);
      expect(stored.hda.facts).toEqual({ os: 'linux' });
    },
  );
  refuse('proto', 'tags __proto__', () => hda({ name: 'x', domain: 'a.example.com', tags: ['__proto__'] }), { status: 400 });
  either(
    'proto',
    'batch overrides keyed __proto__',
    (x) => call('POST', '/api/batches', { token: w.owner, raw: `{"app":"world","hdas":["${x.hdaId}"],"overrides":{"__proto__":{"env":{"A":"1"}}}}` }),
    (b) => {
      expect(b.items).toHaveLength(1);
    },
    { setup: freshTask },
  );
  refuse('proto', 'app "constructor" is just missing', () => call('GET', '/api/catalog/apps/constructor'), { status: 404 });
  refuse(
    'proto',
    'enroll with __proto__ and a bad code',
    () => call('POST', '/agent/v1/enroll', { raw: '{"code":"nope","hostname":"h","__proto__":{"code":"x"}}' }),
    { status: 401 },
  );
  accept(
    'proto',
    'facts named __proto__, constructor, toString, hasOwnProperty',
    () => heartbeatRaw('{"facts":{"__proto__":"a","constructor":"b","toString":"c","hasOwnProperty":"d"}}'),
    async () => {
      const stored = await ownerGet(`/api/hdas/${w.hdaId}`);
      expect(stored.hda.facts).toMatchObject({ constructor: 'b', toString: 'c', hasOwnProperty: 'd' });
    },
  );
  accept(
    'proto',
    'event data with __proto__',
    () => eventsRaw(`[{"seq":${++seqCounter},"status":"OK","message":"m","data":{"__proto__":{"polluted":true},"ok":1}}]`),
    async () => {
      expect((await eventOf(w.taskId, seqCounter)).data.ok).toBe(1);
    },
  );
  accept('proto', 'event data with constructor.prototype', () =>
    eventsRaw(`[{"seq":${++seqCounter},"status":"OK","message":"m","data":{"constructor":{"prototype":{"polluted":true}}}}]`),
  );
  accept(
    'proto',
    'result with a top-level __proto__ claiming success',
    (x) =>
      call('POST', `/agent/v1/tasks/${x.taskId}/result`, {
        token: x.agent,
        raw: '{"state":"failed","detail":"d","__proto__":{"state":"succeeded"},"images":{"__proto__":"x"}}',
      }),
    async (_b, x) => {
      expect((await ownerGet(`/api/tasks/${x.taskId}`)).task.state).toBe('failed');
    },
    { setup: freshTask },
  );
  accept('proto', 'query ?__proto__[polluted]=1', () => call('GET', '/api/catalog/apps?__proto__[polluted]=1&constructor[prototype][polluted]=1'), undefined, {
    noWrite: true,
  });

  // --- Invalid UTF-8 --------------------------------------------------------------------------
  either(
    'utf8',
    'name with bytes FF FE',
    () => hdaRaw(bytes('{"name":"a', [0xff, 0xfe], `","domain":"b${uniq()}.example.com"}`)),
    async (b) => {
      const stored = await ownerGet(`/api/hdas/${b.hda.id}`);
      expect(stored.hda.name).toBe('a\uFFFD\uFFFD');
    },
  );
  refuse('utf8', 'domain with bytes FF FE', () => hdaRaw(bytes('{"name":"a","domain":"home', [0xff, 0xfe], '.example.com"}')), { status: 400 });
  refuse(
    'utf8',
    'slug with an overlong "/" (C0 AF)',
    () => call('POST', '/api/catalog/apps', { token: w.publisher, raw: bytes('{"slug":"a', [0xc0, 0xaf], 'b","name":"x"}') }),
    { status: 400 },
  );
  refuse('utf8', 'body of binary garbage', () => hdaRaw(Uint8Array.from({ length: 256 }, (_, i) => 255 - i)), { status: 400 });
  refuse('utf8', 'body in UTF-16 with a BOM', () => hdaRaw(bytes([0xff, 0xfe], Array.from(Buffer.from('{"name":"x","domain":"a.example.com"}', 'utf16le')))), {
    status: 400,
  });
  refuse('utf8', 'body cut inside a multi-byte character', () => hdaRaw(bytes('{"name":"a', [0xe2, 0x82])), { status: 400 });
  either('utf8', 'event message with bytes ED A0 80 (a UTF-8 encoded surrogate)', () =>
    call('POST', `/agent/v1/tasks/${w.taskId}/events`, {
      token: w.agent,
      raw: bytes(`[{"seq":${++seqCounter},"status":"OK","message":"a`, [0xed, 0xa0, 0x80], '"}]'),
    }),
  );
  refuse('utf8', 'session token with Latin-1 bytes', () => call('GET', '/api/hdas', { headers: { authorization: 'Bearer \u00ff\u00fe\u00fd' } }), {
    status: 401,
  });
  accept(
    'utf8',
    'catalog search with %FF',
    () => call('GET', '/api/catalog/apps?q=%FF%FE'),
    (b) => expect(b.apps).toEqual([]),
    { noWrite: true },
  );

  // --- Wrong content type ---------------------------------------------------------------------
  const hdaBody = () => JSON.stringify({ name: 'ct', domain: `ct${uniq()}.example.com` });
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/html', null]) {
    refuse('content-type', `HDA as ${type ?? 'no content type'}`, () => hdaRaw(hdaBody(), type), { status: 415 });
  }
  refuse(
    'content-type',
    'login as a cross-site HTML form',
    () => call('POST', '/api/auth/login', { raw: `email=${encodeURIComponent(ADMIN.email)}&password=x`, type: 'application/x-www-form-urlencoded' }),
    { status: 415 },
  );
  refuse('content-type', 'events as text/plain', () => eventsRaw(JSON.stringify([ev('m')]), 'text/plain'), { status: 415 });
  refuse('content-type', 'heartbeat without a content type', () => heartbeatRaw('{}', null), { status: 415 });
  refuse(
    'content-type',
    'enroll as form data',
    () => call('POST', '/agent/v1/enroll', { raw: 'code=x&hostname=h', type: 'application/x-www-form-urlencoded' }),
    { status: 415 },
  );
  for (const type of ['application/merge-patch+json', 'APPLICATION/JSON', 'application/json; charset=latin1']) {
    either(
      'content-type',
      `HDA as ${type}`,
      () => hdaRaw(hdaBody(), type),
      (b) => expect(b.hda.name).toBe('ct'),
    );
  }

  // --- Empty and minimal bodies ---------------------------------------------------------------
  for (const [label, path, token] of [
    ['HDA', '/api/hdas', 'owner'],
    ['user', '/api/users', 'admin'],
    ['login', '/api/auth/login', ''],
    ['events', `/agent/v1/tasks/{task}/events`, 'agent'],
    ['result', `/agent/v1/tasks/{task}/result`, 'agent'],
    ['heartbeat', '/agent/v1/heartbeat', 'agent'],
    ['enroll', '/agent/v1/enroll', ''],
  ] as const) {
    for (const raw of ['', ' ', 'null', '{', '{}']) {
      if (raw === '{}' && (label === 'heartbeat' || label === 'events')) continue; // {} is a valid heartbeat; events are refused as an object above
      refuse(
        'empty',
        `${label} with body ${JSON.stringify(raw)}`,
        () => call('POST', path.replace('{task}', w.taskId), { token: token ? (w as unknown as Record<string, string>)[token] : undefined, raw }),
        { status: 400 },
      );
    }
  }
  either(
    'empty',
    'release with a text body',
    () => call('POST', `/agent/v1/tasks/${w.taskId}/release`, { token: w.agent, raw: 'garbage', type: 'text/plain' }),
    (b) => expect(b.released).toBe(false),
    { noWrite: true },
  );

  // --- Methods, routes and other callers' things ----------------------------------------------
  for (const [method, path] of [
    ['PUT', '/api/hdas'],
    ['DELETE', '/api/hdas'],
    ['PATCH', '/api/users'],
    ['OPTIONS', '/api/hdas'],
    ['GET', '/api/hdas/'],
    ['GET', '//api//hdas'],
    ['POST', '/agent/v2/heartbeat'],
  ] as const) {
    refuse('routes', `${method} ${path}`, () => call(method, path.replace('{hda}', w.hdaId), { token: w.owner }), { status: 404 });
  }
  refuse('routes', "events to another HDA's task", () => events([ev('x')], w.agentB), { status: 404 });
  refuse('routes', "result for another HDA's task", () => result({ state: 'succeeded', detail: 'd' }, w.taskId, w.agentB), { status: 404 });
  refuse('routes', 'result that contradicts a finished task', () => result({ state: 'succeeded', detail: 'd' }, w.doneTaskId, w.doneAgent), { status: 409 });
  accept(
    'routes',
    'result repeating a finished task',
    () => result({ state: 'failed', detail: 'again' }, w.doneTaskId, w.doneAgent),
    (b) => expect(b.state).toBe('failed'),
    { noWrite: true },
  );
  refuse('routes', 'heartbeat from a revoked agent', () => call('POST', '/agent/v1/heartbeat', { token: w.revokedAgent, json: {} }), { status: 401 });
  refuse('routes', 'enroll with a spent code', () => call('POST', '/agent/v1/enroll', { json: { code: 'x', hostname: 'h' } }), { status: 401 });
  refuse('routes', "owner 2 installs on owner 1's HDA", () => call('POST', `/api/hdas/${w.hdaId}/installs`, { token: w.owner2, json: { app: 'world' } }), {
    status: 404,
  });
  refuse('routes', "owner 2 deletes owner 1's HDA", () => call('DELETE', `/api/hdas/${w.hdaId}`, { token: w.owner2 }), { status: 404 });
  refuse('routes', "owner 2 cancels owner 1's task", () => call('POST', `/api/tasks/${w.taskId}/cancel`, { token: w.owner2 }), { status: 404 });
  refuse('routes', "owner 2 batches owner 1's HDA", () => call('POST', '/api/batches', { token: w.owner2, json: { app: 'world', hdas: [w.hdaId] } }), {
    status: 404,
  });

  return cases;
}

const results: Array<{ c: Case; status: number; problems: string[]; note?: string }> = [];
let initial: DbState;

beforeAll(async () => {
  plane = await createTestPlane();
  const admin = await plane.login(ADMIN.email, ADMIN.password);
  const owner = await plane.user('owner');
  const owner2 = await plane.user('owner');
  const { token: publisher } = await publishApp(plane, 'hello');
  await publishApp(plane, 'world', { token: publisher });
  const a = await enrolledHda(plane, owner.token);
  const inst = await plane.json('POST', `/api/hdas/${a.hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
  const b = await enrolledHda(plane, owner2.token, 'b', 'b.example.com');
  const c = await enrolledHda(plane, owner.token, 'c', 'c.example.com');
  const done = await plane.json('POST', `/api/hdas/${c.hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
  const doneTaskId = done.body.task.id;
  await plane.json('POST', `/agent/v1/tasks/${doneTaskId}/events`, {
    token: c.agentToken,
    body: [
      { seq: 1, status: 'Starting', step: 'pull', message: 'pulling' },
      { seq: 2, status: 'Error', step: 'pull', message: 'no such image' },
    ],
  });
  await plane.json('POST', `/agent/v1/tasks/${doneTaskId}/result`, { token: c.agentToken, body: { state: 'failed', detail: 'pull failed', step: 'pull' } });
  const r = await enrolledHda(plane, owner.token, 'r', 'r.example.com');
  await plane.json('POST', `/api/hdas/${r.hdaId}/revoke`, { token: owner.token });
  w = {
    admin,
    owner: owner.token,
    owner2: owner2.token,
    publisher,
    hdaId: a.hdaId,
    agent: a.agentToken,
    installId: inst.body.install.id,
    taskId: inst.body.task.id,
    hdaB: b.hdaId,
    agentB: b.agentToken,
    doneTaskId,
    doneAgent: c.agentToken,
    revokedAgent: r.agentToken,
  };
  initial = await dbState(plane);
});

afterAll(() => vi.restoreAllMocks());

describe('hostile input', () => {
  it('refuses cleanly or stores inertly, never a 5xx, never a write on refusal', async () => {
    const logged: unknown[][] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
    try {
      for (const c of corpus()) {
        const problems: string[] = [];
        let status = 0;
        let note: string | undefined;
        try {
          const x = (await c.setup?.()) ?? {};
          logged.length = 0;
          const before = await dbState(plane, { digest: true });
          const res = await c.send(x);
          status = res.status;
          const isStream = (res.headers.get('content-type') ?? '').startsWith('text/event-stream');
          const text = isStream ? await readStream(res) : await res.text();
          const after = await dbState(plane, { digest: true });
          const writes = c.audited && status >= 400 ? writesBesidesOneAuditRow(before, after) : writesBetween(before, after);

          if (status >= 500) problems.push(`${status}`);
          if (logged.length > 0) problems.push(`server logged an error: ${String(logged[0][1] ?? logged[0][0]).slice(0, 200)}`);
          for (const [k, v] of res.headers) if (/injected/i.test(`${k}: ${v}`)) problems.push(`response header carries input: ${k}: ${v}`);
          if (c.expect === 'refuse' && (status < 400 || status >= 500)) problems.push(`expected a refusal, got ${status}`);
          if (c.expect === 'accept' && (status < 200 || status >= 300)) problems.push(`expected acceptance, got ${status}`);
          if (c.status && status !== c.status && status >= 400) problems.push(`refused with ${status}, expected ${c.status}`);
          if (status >= 400 && status < 500) {
            let body: { error?: unknown; message?: unknown } | null = null;
            try {
              body = JSON.parse(text);
            } catch {
              problems.push(`error body is not JSON: ${text.slice(0, 80)}`);
            }
            if (body && (typeof body.error !== 'string' || typeof body.message !== 'string' || !body.message)) problems.push('error body lacks error/message');
            if (writes.length > 0) problems.push(`wrote on refusal: ${writes.join(', ')}`);
          }
          if (status >= 200 && status < 300) {
            if (c.noWrite && writes.length > 0) problems.push(`wrote: ${writes.join(', ')}`);
            if (c.check) {
              try {
                const said = await c.check(isStream ? text : text ? JSON.parse(text) : null, x);
                if (typeof said === 'string') note = said;
              } catch (err) {
                problems.push(`accepted but not inert: ${(err as Error).message.split('\n')[0]}`);
              }
            }
          }
        } catch (err) {
          problems.push(`threw: ${(err as Error).message}`);
        }
        results.push({ c, status, problems, note });
      }
    } finally {
      spy.mockRestore();
    }

    const refused = results.filter((r) => r.status >= 400 && r.status < 500 && r.problems.length === 0).length;
    const accepted = results.filter((r) => r.status >= 200 && r.status < 300 && r.problems.length === 0).length;
    const fiveXX = results.filter((r) => r.status >= 500).length;
    const byArea = new Map<string, number>();
    for (const r of results) byArea.set(r.c.area, (byArea.get(r.c.area) ?? 0) + 1);
    console.log(`hostile input: ${results.length} cases, ${refused} refused cleanly, ${accepted} accepted as inert data, ${fiveXX} 5xx`);
    console.log(`  by area: ${[...byArea].map(([a, n]) => `${a} ${n}`).join(', ')}`);
    const accepts = results.filter((r) => r.c.expect === 'either' && r.status >= 200 && r.status < 300).map((r) => r.c.name);
    if (accepts.length) console.log(`  accepted where refusing would also do: ${accepts.join('; ')}`);
    const notes = results.filter((r) => r.note).map((r) => `${r.c.name} (${r.note})`);
    if (notes.length) console.log(`  kept inertly but not literally: ${notes.join('; ')}`);
    expect(results.filter((r) => r.problems.length > 0).map((r) => `[${r.c.area}] ${r.c.name}: ${r.problems.join('; ')}`)).toEqual([]);
    expect(fiveXX).toBe(0);
  }, 120_000);

  it('leaves the plane whole: no polluted prototypes, tables intact, sign-in and polling still work', async () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    const now = await dbState(plane);
    for (const [table, n] of Object.entries(initial.counts)) expect(now.counts[table], table).toBeGreaterThanOrEqual(n);
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect((await plane.json('POST', '/api/auth/login', { body: ADMIN })).status).toBe(200);
    expect((await call('GET', `/api/hdas/${w.hdaId}`, { token: w.owner })).status).toBe(200);
    expect([200, 204]).toContain((await call('GET', '/agent/v1/tasks', { token: w.agentB })).status);
  });
});
