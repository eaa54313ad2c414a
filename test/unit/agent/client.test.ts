import { createServer, type Server } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { HttpProtocolClient, ProtocolError } from '../../../agent/client';

let server: Server | null = null;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return `http://127.0.0.1:${addr.port}`;
}

it('a poll answer cut off half-way is an error, never "no tasks" (the tasks it claimed would be dropped)', async () => {
  const url = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
    res.write('{"tasks":[{"id":"t1","kind":"install"');
    setTimeout(() => res.destroy(), 20);
  });
  const client = new HttpProtocolClient(url, 'hda.token');
  const err = await client.pollTasks(0).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProtocolError);
  expect((err as ProtocolError).retryable).toBe(true);
  expect((err as ProtocolError).message).toMatch(/unreachable/);
});

it('a poll stopped by the caller ends at once, and a whole answer is read as tasks', async () => {
  let answer = true;
  const url = await serve((_req, res) => {
    if (answer) res.writeHead(200, { 'content-type': 'application/json' }).end('{"tasks":[{"id":"t1","kind":"install"}]}');
    // otherwise: hold the poll open
  });
  const client = new HttpProtocolClient(url, 'hda.token');
  expect((await client.pollTasks(0)).map((t) => t.id)).toEqual(['t1']);
  answer = false;
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 50);
  const started = Date.now();
  await expect(client.pollTasks(25, stop.signal)).rejects.toBeInstanceOf(ProtocolError);
  expect(Date.now() - started).toBeLessThan(10_000); // far below the 40 s the poll's own timeout allows
});
