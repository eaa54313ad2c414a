/** The protocol client over node:http (no fetch): what it sends, and how it reads answers and failures. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { HttpProtocolClient, ProtocolError } from '../../../agent/client';

let server: Server | null = null;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (s += c));
    req.on('end', () => resolve(s));
  });
}

it('posts JSON with the bearer token and a content length, and reads the JSON answer', async () => {
  const seen: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: string }> = [];
  const url = await serve(async (req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, body: await readBody(req) });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"next_heartbeat_s":7}');
  });
  const client = new HttpProtocolClient(url, 'hda.token');
  const input = { facts: { hostname: 'hé' } as never, apps: [] };
  expect(await client.heartbeat(input)).toEqual({ ok: true, next_heartbeat_s: 7 });
  expect(seen[0].method).toBe('POST');
  expect(seen[0].url).toBe('/agent/v1/heartbeat');
  expect(seen[0].headers.authorization).toBe('Bearer hda.token');
  expect(seen[0].headers['content-type']).toBe('application/json');
  expect(seen[0].headers['user-agent']).toMatch(/^hda-agent\//);
  expect(Number(seen[0].headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(input)));
  expect(JSON.parse(seen[0].body)).toEqual(input);
});

it('reads 204 as no tasks and asks for the wait it was given', async () => {
  const urls: string[] = [];
  const url = await serve((req, res) => {
    urls.push(req.url ?? '');
    res.writeHead(204).end();
  });
  expect(await new HttpProtocolClient(url, 't').pollTasks(0)).toEqual([]);
  expect(urls).toEqual(['/agent/v1/tasks?wait=0']);
});

it('a 4xx is a ProtocolError with the server’s code, not retried; a 5xx is retried', async () => {
  let status = 409;
  const url = await serve((_req, res) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end('{"error":"task_not_claimed","message":"not yours"}'),
  );
  const client = new HttpProtocolClient(url, 't');
  const e1 = (await client.postResult('t1', { state: 'succeeded', detail: 'done' }).catch((e) => e)) as ProtocolError;
  expect(e1).toBeInstanceOf(ProtocolError);
  expect([e1.status, e1.code, e1.retryable]).toEqual([409, 'task_not_claimed', false]);
  expect(e1.message).toBe('POST /agent/v1/tasks/t1/result: 409 not yours');
  status = 503;
  const e2 = (await client.releaseTask('t1').catch((e) => e)) as ProtocolError;
  expect([e2.status, e2.retryable]).toEqual([503, true]);
});

it('a control plane that refuses the connection is unreachable (retryable) and says why', async () => {
  const url = await serve((_req, res) => res.end());
  await new Promise<void>((r) => server!.close(() => r()));
  server = null;
  const e = (await new HttpProtocolClient(url, 't').pollTasks(0).catch((err) => err)) as ProtocolError;
  expect(e).toBeInstanceOf(ProtocolError);
  expect(e.retryable).toBe(true);
  expect(e.message).toBe(`${url} unreachable: ECONNREFUSED`);
});

it('a poll the caller stops before it is sent never reaches the server', async () => {
  let requests = 0;
  const url = await serve((_req, res) => {
    requests++;
    res.end();
  });
  const stop = new AbortController();
  stop.abort(new Error('stopping'));
  const e = (await new HttpProtocolClient(url, 't').pollTasks(25, stop.signal).catch((err) => err)) as ProtocolError;
  expect(e).toBeInstanceOf(ProtocolError);
  expect(e.message).toMatch(/unreachable: stopping$/);
  expect(requests).toBe(0);
});
