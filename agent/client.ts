/**
 * The agent side of protocol v1 (core/protocol.ts) over HTTP(S) with the bearer agent token.
 * Errors say whether a retry can help: network trouble, 5xx, 408 and 429 can; other 4xx cannot.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type {
  ClaimedTask,
  EnrollRequest,
  EnrollResponse,
  HeartbeatInput,
  HeartbeatResponse,
  TaskEventInput,
  TaskEventsAck,
  TaskResultInput,
  TasksResponse,
} from '../core/protocol';
import { MAX_POLL_WAIT_S } from '../core/protocol/limits';
import { AGENT_VERSION } from './version';

export interface ProtocolClient {
  pollTasks(waitS: number, signal?: AbortSignal): Promise<ClaimedTask[]>;
  postEvents(taskId: string, events: TaskEventInput[]): Promise<TaskEventsAck>;
  postResult(taskId: string, result: TaskResultInput): Promise<void>;
  /** Hands a claimed task back to the queue (an agent stopping before it finished the work). */
  releaseTask(taskId: string): Promise<boolean>;
  heartbeat(input: HeartbeatInput): Promise<HeartbeatResponse>;
}

export class ProtocolError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

export function isRetryable(e: unknown): boolean {
  return e instanceof ProtocolError ? e.retryable : true;
}

interface RequestOptions {
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * One exchange over node:http(s). Not fetch: the fetch built into Node (undici, its HTTP parser a
 * WebAssembly module) adds about 20 MB to the resident size of a process that otherwise idles at
 * ~45 MB, for two requests a minute.
 */
function exchange(url: URL, init: RequestOptions, signal: AbortSignal): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    const headers = body ? { ...init.headers, 'content-length': String(body.length) } : init.headers;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: init.method, headers, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      // Closed before the end of the body: no whole answer (a no-op once 'end' resolved).
      res.on('close', () => {
        if (!res.complete) reject(new Error('the answer was cut off'));
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function request<T>(url: string, init: RequestOptions): Promise<{ status: number; body: T | null }> {
  // A timer of our own, cleared when the exchange ends: it covers reading the body too, and it
  // cannot be collected while the request waits (nothing but a weak reference holds a composed signal).
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`no answer within ${init.timeoutMs} ms`)), init.timeoutMs);
  const onAbort = () => deadline.abort(init.signal?.reason);
  if (init.signal?.aborted) onAbort();
  else init.signal?.addEventListener('abort', onAbort, { once: true });
  const target = new URL(url);
  const unreachable = (e: unknown) => {
    // Stopped (our deadline, or the caller): its reason says why, whatever the socket reported.
    const reason = deadline.signal.aborted ? (deadline.signal.reason as { message?: string } | undefined) : undefined;
    const err = e as { code?: string; message?: string };
    const why = reason ? (reason.message ?? String(reason)) : (err.code ?? err.message);
    return new ProtocolError(0, 'unreachable', `${target.origin} unreachable: ${why}`);
  };
  let res: { status: number; text: string };
  try {
    // An answer cut off half-way is no answer: read as "nothing", it would drop the tasks it claimed.
    res = await exchange(target, init, deadline.signal);
  } catch (e) {
    throw unreachable(e);
  } finally {
    clearTimeout(timer);
    init.signal?.removeEventListener('abort', onAbort);
  }
  const { status, text } = res;
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (status < 200 || status > 299) {
    const err = (body ?? {}) as { error?: string; message?: string };
    throw new ProtocolError(status, err.error ?? `http_${status}`, `${init.method} ${target.pathname}: ${status} ${err.message ?? text.slice(0, 200)}`);
  }
  return { status, body: body as T | null };
}

const JSON_HEADERS = { 'content-type': 'application/json', 'user-agent': `hda-agent/${AGENT_VERSION}` };

export async function enroll(server: string, req: EnrollRequest): Promise<EnrollResponse> {
  const { body } = await request<EnrollResponse>(new URL('/agent/v1/enroll', server).toString(), {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(req),
    timeoutMs: 30_000,
  });
  if (!body?.token || !body.hda_id) throw new ProtocolError(502, 'bad_response', 'enroll answered without a token or hda id');
  return body;
}

export class HttpProtocolClient implements ProtocolClient {
  constructor(
    private readonly server: string,
    private readonly token: string,
  ) {}

  private url(path: string): string {
    return new URL(path, this.server).toString();
  }

  private headers() {
    return { ...JSON_HEADERS, authorization: `Bearer ${this.token}` };
  }

  async pollTasks(waitS: number, signal?: AbortSignal): Promise<ClaimedTask[]> {
    const wait = Math.max(0, Math.min(MAX_POLL_WAIT_S, Math.floor(waitS)));
    const { status, body } = await request<TasksResponse>(this.url(`/agent/v1/tasks?wait=${wait}`), {
      method: 'GET',
      headers: this.headers(),
      timeoutMs: (wait + 15) * 1000,
      signal,
    });
    if (status === 204 || !body) return [];
    return Array.isArray(body.tasks) ? body.tasks : [];
  }

  async postEvents(taskId: string, events: TaskEventInput[]): Promise<TaskEventsAck> {
    const { body } = await request<TaskEventsAck>(this.url(`/agent/v1/tasks/${encodeURIComponent(taskId)}/events`), {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify(events),
      timeoutMs: 20_000,
    });
    const maxSent = events.reduce((m, e) => Math.max(m, e.seq), 0);
    return body ?? { accepted: events.length, duplicates: 0, last_seq: maxSent };
  }

  async postResult(taskId: string, result: TaskResultInput): Promise<void> {
    await request(this.url(`/agent/v1/tasks/${encodeURIComponent(taskId)}/result`), {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify(result),
      timeoutMs: 20_000,
    });
  }

  async releaseTask(taskId: string): Promise<boolean> {
    const { body } = await request<{ released?: boolean }>(this.url(`/agent/v1/tasks/${encodeURIComponent(taskId)}/release`), {
      method: 'POST',
      headers: this.headers(),
      body: '{}',
      timeoutMs: 10_000,
    });
    return body?.released === true;
  }

  async heartbeat(input: HeartbeatInput): Promise<HeartbeatResponse> {
    const { body } = await request<HeartbeatResponse>(this.url('/agent/v1/heartbeat'), {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify(input),
      timeoutMs: 20_000,
    });
    return body ?? { ok: true, next_heartbeat_s: 30 };
  }
}
