/**
 * Bad input and broken parts reach the agent as failed tasks with the step and the reason, never a
 * crash, against the real testbed: a vhost that fails Apache's config test (other apps keep serving),
 * an unknown image, a host port already taken (refused at the port check), a compose file Docker rejects, a Docker daemon that
 * goes away mid-task, a policy refusal and a signature that does not verify.
 */
import { createServer as createNetServer, connect, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, getThroughApache, probeTestbed } from '../helpers/testbed';
import { createHarness, DOMAIN, projectContainers, run, standinCompose, task, uniqueId, version, vhostFiles, type Harness } from '../helpers/agent-harness';
import { renderVhost } from '../../agent/apache/vhost';
import { PLANS } from '../../agent/executor/plans';
import { prepareStep } from '../../agent/executor/prepare';
import { DockerProvider } from '../../agent/docker/client';
import { ComposeRunner } from '../../agent/docker/compose';

const probe = probeTestbed();
const available = requireOrSkip('agent testbed (Docker, Compose v1, Apache)', probe.ok, probe.ok ? '' : probe.reason);

/** A vhost renderer that slips in a directive Apache does not know: the config test must fail. */
const brokenVhost: typeof renderVhost = (v) => renderVhost(v).replace('ProxyPreserveHost On', 'ProxyPreserveHost On\n\tThisIsNotAnApacheDirective on');

function failure(h: Harness, taskId: string) {
  const r = h.client.results.get(taskId)!;
  const error = h.client.events.get(taskId)!.find((e) => e.status === 'Error');
  return { result: r, error };
}

describe.skipIf(!available)('agent failures against real Docker, Compose and Apache', () => {
  let h: Harness;
  const good = uniqueId('good');
  let goodPort: number;

  beforeAll(async () => {
    if (!probe.ok) return;
    h = await createHarness(probe.testbed, { 'health-timeout': '20' });
    goodPort = await freePort();
    expect(await run(h, await task(h, 'install', good, goodPort, version(standinCompose(probe.testbed.standinImage))))).toBe('succeeded');
  });
  afterAll(async () => h?.cleanup());

  const goodStillServes = async () => {
    const page = await getThroughApache(h.tb, `${good}.${DOMAIN}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Stand-in for web');
  };

  it('a new vhost that fails configtest is removed; Apache is not reloaded; other apps keep serving', async () => {
    const id = uniqueId('badvh');
    const t = await task(h, 'install', id, await freePort(), version(standinCompose(h.tb.standinImageAlt)));
    expect(await run(h, t, { renderVhost: brokenVhost })).toBe('failed');
    const { result, error } = failure(h, t.id);
    expect(result.step).toBe('reload');
    expect(error!.message).toMatch(/failed Apache's config test; the new vhost was removed/);
    expect(error!.message).toMatch(/ThisIsNotAnApacheDirective/);
    expect(vhostFiles(h.tb, id)).toEqual([]);
    await goodStillServes();
  });

  it('an updated vhost that fails configtest is replaced by the previous one, which keeps serving', async () => {
    const id = uniqueId('prevvh');
    const port = await freePort();
    const v = version(standinCompose(h.tb.standinImageAlt));
    expect(await run(h, await task(h, 'install', id, port, v))).toBe('succeeded');
    const before = (await getThroughApache(h.tb, `${id}.${DOMAIN}`)).body;
    const t = await task(h, 'install', id, port, v);
    expect(await run(h, t, { renderVhost: brokenVhost })).toBe('failed');
    expect(failure(h, t.id).error!.message).toMatch(/the previous vhost was restored/);
    expect(vhostFiles(h.tb, id)).toEqual([`hda-app-${id}.conf`]);
    const after = await getThroughApache(h.tb, `${id}.${DOMAIN}`);
    expect(after.status).toBe(200);
    expect(after.body).toBe(before);
    await goodStillServes();
  });

  it("an unknown image fails at pull with the registry's reason", async () => {
    const id = uniqueId('noimg');
    const t = await task(h, 'install', id, await freePort(), version(standinCompose(`${h.tb.registry}/hda-standin/does-not-exist:latest`)));
    expect(await run(h, t)).toBe('failed');
    const { result } = failure(h, t.id);
    expect(result.step).toBe('pull');
    expect(result.detail).toMatch(/does-not-exist.*(manifest unknown|not found)/i);
    expect(await projectContainers(h.docker, id)).toHaveLength(0);
  });

  it('a host port already taken (and not movable: no range in the task) fails at the port check, naming the port, before anything changes', async () => {
    const id = uniqueId('taken');
    const port = await freePort();
    const squatter: Server = createNetServer().listen(port, '0.0.0.0');
    await new Promise((r) => squatter.once('listening', r));
    try {
      const t = await task(h, 'install', id, port, version(standinCompose(h.tb.standinImage)));
      expect(await run(h, t)).toBe('failed');
      const { result } = failure(h, t.id);
      expect(result.step).toBe('ports');
      expect(result.detail).toContain(`port ${port} is used by another program on the HDA`);
      expect(await projectContainers(h.docker, id)).toEqual([]);
      expect(vhostFiles(h.tb, id)).toEqual([]);
    } finally {
      squatter.close();
    }
  });

  it("a compose file the Docker daemon rejects fails at up with Docker's reason", async () => {
    const id = uniqueId('reject');
    // Valid YAML and policy-clean, but below the Engine's minimum memory limit (6 MB).
    const t = await task(h, 'install', id, await freePort(), version(standinCompose(h.tb.standinImage, '    mem_limit: 1m\n')));
    expect(await run(h, t)).toBe('failed');
    const { result } = failure(h, t.id);
    expect(result.step).toBe('up');
    expect(result.detail).toMatch(/memory limit/i);
  });

  it('a compose file that asks for a privileged container is refused at policy', async () => {
    const id = uniqueId('priv');
    const t = await task(h, 'install', id, await freePort(), version(standinCompose(h.tb.standinImage, '    privileged: true\n')));
    expect(await run(h, t)).toBe('failed');
    expect(failure(h, t.id).result).toMatchObject({ step: 'policy' });
    expect(failure(h, t.id).result.detail).toMatch(/privileged/);
    expect(await projectContainers(h.docker, id)).toHaveLength(0);
  });

  it('a version altered after signing is refused at verify', async () => {
    const id = uniqueId('forged');
    const t = await task(h, 'install', id, await freePort(), version(standinCompose(h.tb.standinImage)));
    t.payload.version = { ...t.payload.version!, compose: standinCompose(h.tb.standinImage, '    cap_add: [ALL]\n') };
    expect(await run(h, t)).toBe('failed');
    expect(failure(h, t.id).result).toMatchObject({ step: 'verify' });
    expect(failure(h, t.id).result.detail).toMatch(/altered|does not verify|different content/);
  });

  it('a Docker daemon that goes away mid-task fails the task with the reason; the agent lives on', async () => {
    // The agent talks to Docker through a socket proxy; closing it is the daemon vanishing for the agent.
    const dir = mkdtempSync(join(tmpdir(), 'hda-sock-'));
    const sock = join(dir, 'docker.sock');
    const conns = new Set<Socket>();
    const proxy = createNetServer((c) => {
      const up = connect(h.tb.dockerSocket);
      conns.add(c).add(up);
      c.pipe(up).pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    await new Promise<void>((r) => proxy.listen(sock, r));
    const vanish = () =>
      new Promise<void>((r) => {
        proxy.close(() => r());
        for (const c of conns) c.destroy();
      });
    try {
      const id = uniqueId('nodock');
      const plans = {
        ...PLANS,
        install: PLANS.install!.map((s) =>
          s.name === 'prepare'
            ? {
                ...s,
                run: async (ctx: Parameters<typeof prepareStep.run>[0]) => {
                  const r = await prepareStep.run(ctx);
                  await vanish();
                  return r;
                },
              }
            : s,
        ),
      };
      const t = await task(h, 'install', id, await freePort(), version(standinCompose(h.tb.standinImageAlt)));
      const outcome = await run(
        h,
        t,
        { docker: new DockerProvider(sock), compose: new ComposeRunner(sock, h.tb.compose, { runDir: join(dir, 'compose-run') }) },
        plans,
      );
      expect(outcome).toBe('failed');
      const { result } = failure(h, t.id);
      expect(result.step).toBe('pull');
      expect(result.detail).toMatch(/Docker daemon not reachable/);
      expect(result.app_state).toBe('unknown');
    } finally {
      await vanish().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
    await goodStillServes();
  });
});
