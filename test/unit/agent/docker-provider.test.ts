/**
 * DockerProvider: the version probe is a plain GET /version over the socket (host facts need it on
 * every agent, so it must not load dockerode); dockerode comes when the Docker API itself is needed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DockerProvider, DockerUnavailableError } from '../../../agent/docker/client';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

/** A stand-in Engine on a unix socket; `answer` decides each reply. */
async function engine(answer: (url: string) => { status: number; body: unknown }): Promise<{ socket: string; urls: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'hda-docker-'));
  const socket = join(dir, 'docker.sock');
  const urls: string[] = [];
  const server: Server = createServer((req, res) => {
    urls.push(req.url ?? '');
    const { status, body } = answer(req.url ?? '');
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(socket, r));
  cleanup.push(
    () => new Promise<void>((r) => server.close(() => r())),
    () => rmSync(dir, { recursive: true, force: true }),
  );
  return { socket, urls };
}

it('negotiates the API version with an unversioned GET /version, and the client it hands out uses it', async () => {
  const e = await engine((url) =>
    url === '/version' ? { status: 200, body: { Version: '27.5.1', ApiVersion: '1.45', MinAPIVersion: '1.24' } } : { status: 200, body: [] },
  );
  const p = new DockerProvider(e.socket);
  expect(await p.get()).toEqual({ apiVersion: '1.45', engineVersion: '27.5.1' });
  expect(await p.get()).toEqual({ apiVersion: '1.45', engineVersion: '27.5.1' });
  expect(e.urls).toEqual(['/version']); // asked once, remembered
  const docker = await p.docker();
  expect(await p.docker()).toBe(docker);
  expect(await docker.listContainers()).toEqual([]);
  expect(e.urls[1]).toMatch(/^\/v1\.45\/containers\/json/);
});

it('a daemon newer than this client gets our newest version; after a reset it is asked again', async () => {
  const e = await engine(() => ({ status: 200, body: { Version: '29.0.0', ApiVersion: '1.52', MinAPIVersion: '1.44' } }));
  const p = new DockerProvider(e.socket);
  expect((await p.get()).apiVersion).toBe('1.47');
  const first = await p.docker();
  p.reset();
  expect(await p.docker()).not.toBe(first);
  expect(e.urls.filter((u) => u === '/version')).toHaveLength(2);
});

it('no daemon at the socket, or one that will not say its version, is "not reachable"', async () => {
  const missing = new DockerProvider(join(tmpdir(), `hda-no-docker-${process.pid}.sock`));
  const e1 = await missing.get().catch((err) => err);
  expect(e1).toBeInstanceOf(DockerUnavailableError);
  expect(e1.message).toMatch(/^Docker daemon not reachable at .*: connect ENOENT/);
  await expect(missing.docker()).rejects.toBeInstanceOf(DockerUnavailableError);

  const e = await engine(() => ({ status: 500, body: { message: 'engine on fire' } }));
  const e2 = await new DockerProvider(e.socket).get().catch((err) => err);
  expect(e2).toBeInstanceOf(DockerUnavailableError);
  expect(e2.message).toMatch(/HTTP code 500.*engine on fire/);
});
