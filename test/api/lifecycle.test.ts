import { runUpkeep } from '../../worker/jobs/upkeep';
import { beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { METRICS_PER_HEARTBEAT_MAX } from '../../core/protocol';
import { batchItems } from '../../db/schema';
import { advanceBatch } from '../../worker/services/batches';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string; id: string };
beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
});

const poll = (agentToken: string) => plane.json('GET', '/agent/v1/tasks?wait=0', { token: agentToken });
const report = (agentToken: string, taskId: string, state: 'succeeded' | 'failed', extra: Record<string, unknown> = {}) =>
  plane.json('POST', `/agent/v1/tasks/${taskId}/result`, { token: agentToken, body: { state, detail: state, ...extra } });

async function installed(app = 'hello') {
  await publishApp(plane, app);
  const hda = await enrolledHda(plane, owner.token);
  const created = await plane.json('POST', `/api/hdas/${hda.hdaId}/installs`, { token: owner.token, body: { app } });
  const t = (await poll(hda.agentToken)).body.tasks[0];
  await report(hda.agentToken, t.id, 'succeeded', { images: { 'example/hello:1': 'sha256:aaa' } });
  return { ...hda, installId: created.body.install.id as string };
}

describe('limits, logs, metrics, prune', () => {
  it('limits are applied by a reconfigure of the current version and recorded once the agent applied them', async () => {
    const { installId, agentToken } = await installed();
    expect((await plane.json('PUT', `/api/installs/${installId}/limits`, { token: owner.token, body: { cpus: 0, memory_mb: 64 } })).status).toBe(400);
    const r = await plane.json('PUT', `/api/installs/${installId}/limits`, { token: owner.token, body: { cpus: 0.5, memory_mb: 64 } });
    expect(r.status).toBe(202);
    const t = (await poll(agentToken)).body.tasks[0];
    expect(t.kind).toBe('reconfigure');
    expect(t.payload.install.limits).toEqual({ cpus: 0.5, memory_mb: 64 });
    expect(t.payload.version.version).toBe('1.0');
    await report(agentToken, t.id, 'succeeded', { app_state: 'running' });
    expect((await plane.json('GET', `/api/installs/${installId}`, { token: owner.token })).body.install.limits).toEqual({ cpus: 0.5, memory_mb: 64 });
  });

  it('a logs request runs beside a task in progress instead of waiting behind it', async () => {
    const { installId, agentToken } = await installed();
    await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'restart' } });
    const restart = (await poll(agentToken)).body.tasks[0];
    expect(restart.kind).toBe('restart');
    const logs = await plane.json('POST', `/api/installs/${installId}/logs`, { token: owner.token, body: { tail: 50 } });
    expect(logs.status).toBe(202);
    const next = await poll(agentToken);
    expect(next.status).toBe(200);
    expect(next.body.tasks.map((t: { kind: string }) => t.kind)).toEqual(['logs']);
    expect(next.body.tasks[0].payload.logs).toEqual({ tail: 50 });
  });

  it('keeps 5-minute metrics once each, adds each into its hour once, and upkeep drops what is past retention', async () => {
    const { installId, agentToken } = await installed();
    const t0 = plane.clock.now - (plane.clock.now % 3_600_000);
    const sample = (minutes: number, cpu: number) => ({
      identifier: 'hello',
      at: new Date(t0 + minutes * 60_000).toISOString(),
      cpu_avg: cpu,
      cpu_max: cpu * 2,
      memory_avg: 1000,
      memory_max: 2000,
      samples: 10,
    });
    const beat = (metrics: unknown[]) =>
      plane.json('POST', '/agent/v1/heartbeat', { token: agentToken, body: { apps: [{ identifier: 'hello', state: 'running' }], metrics } });
    expect((await beat([sample(0, 10), sample(5, 30)])).status).toBe(200);
    expect((await beat([sample(5, 30)])).status).toBe(200); // re-sent after an outage
    plane.clock.advance(11 * 60_000);
    const h = await plane.json('GET', `/api/installs/${installId}/metrics?hours=1`, { token: owner.token });
    expect(h.body.resolution).toBe('5m');
    expect(h.body.points.map((p: { cpu_avg: number }) => p.cpu_avg)).toEqual([10, 30]);
    const hourly = await plane.json('GET', `/api/installs/${installId}/metrics?hours=72`, { token: owner.token });
    expect(hourly.body.points).toEqual([expect.objectContaining({ cpu_avg: 20, cpu_max: 60, samples: 20 })]);

    plane.clock.advance(49 * 3_600_000);
    await beat([sample(49 * 60, 50)]);
    await runUpkeep(plane.deps); // pruning is upkeep's, not the heartbeat's
    const count = async (res: string) =>
      Number((await plane.deps.db.all<{ n: number }>(`SELECT count(*) AS n FROM app_metrics WHERE resolution = '${res}'` as never))[0].n);
    expect(await count('5m')).toBe(1);
    expect(await count('1h')).toBe(2);
  });

  it("stores metrics only for the HDA's own installs, dated inside retention, and at most a capped number per beat", async () => {
    const { agentToken } = await installed();
    const now = plane.clock.now;
    const sample = (identifier: string, at: number) => ({
      identifier,
      at: new Date(at).toISOString(),
      cpu_avg: 1,
      cpu_max: 1,
      memory_avg: 1,
      memory_max: 1,
      samples: 1,
    });
    const beat = (metrics: unknown[]) => plane.json('POST', '/agent/v1/heartbeat', { token: agentToken, body: { metrics } });
    const rows = async () =>
      plane.deps.db.all<{ identifier: string; bucket_start: number }>(`SELECT identifier, bucket_start FROM app_metrics WHERE resolution = '5m'` as never);
    expect(
      (
        await beat([
          sample('not-mine', now - 600_000),
          sample('hello', Date.UTC(2099, 0, 1)),
          sample('hello', now - 72 * 3_600_000),
          sample('hello', now - 600_000),
        ])
      ).status,
    ).toBe(200);
    expect((await rows()).map((r) => r.identifier)).toEqual(['hello']);
    const many = Array.from({ length: METRICS_PER_HEARTBEAT_MAX + 1 }, (_, i) => sample('hello', now - i * 300_000));
    expect((await beat(many)).status).toBe(400);
  });

  it('prune keeps the images of current and previous deployments', async () => {
    const { hdaId, installId, agentToken } = await installed();
    const r = await plane.json('POST', `/api/hdas/${hdaId}/prune`, { token: owner.token });
    expect(r.status).toBe(202);
    expect(r.body.keep_images).toEqual(['example/hello:1', 'sha256:aaa']);
    const t = (await poll(agentToken)).body.tasks[0];
    expect(t).toMatchObject({ kind: 'prune', install_id: null, payload: { prune: { keep_images: ['example/hello:1', 'sha256:aaa'] } } });
    expect(installId).toBeTruthy();
  });
});

describe('fleet batches', () => {
  async function fleet(n: number) {
    await publishApp(plane, 'hello');
    const hdas = [];
    for (let i = 0; i < n; i++) hdas.push(await enrolledHda(plane, owner.token, `hda${i}`, `hda${i}.example.com`));
    return hdas;
  }
  const batchView = async (id: string) => (await plane.json('GET', `/api/batches/${id}`, { token: owner.token })).body;
  const stateOf = (view: { items: Array<{ hda_id: string; state: string }> }, hdaId: string) => view.items.find((i) => i.hda_id === hdaId)!.state;

  it('deploys with bounded concurrency, per-HDA values, and waits for offline HDAs', async () => {
    const [a, b, c] = await fleet(3);
    // c has been away for longer than the online window.
    plane.clock.advance(10 * 60_000);
    await poll(a.agentToken);
    await poll(b.agentToken);
    const created = await plane.json('POST', '/api/batches', {
      token: owner.token,
      body: { app: 'hello', hdas: [a.hdaId, b.hdaId, c.hdaId], concurrency: 1, overrides: { [b.hdaId]: { env: { GREETING: 'hi b' } } } },
    });
    expect(created.status).toBe(201);
    const id = created.body.batch.id;
    expect(created.body.items.filter((i: { state: string }) => i.state === 'queued')).toHaveLength(1);

    for (const hda of [a, b]) {
      let view = await batchView(id);
      const queued = view.items.find((i: { state: string }) => i.state === 'queued');
      const agent = queued.hda_id === a.hdaId ? a : b;
      const task = (await poll(agent.agentToken)).body.tasks[0];
      if (agent === b) expect(task.payload.install.env).toEqual({ GREETING: 'hi b' });
      else expect(task.payload.install.env).toBeUndefined();
      await report(agent.agentToken, task.id, 'succeeded');
      view = await batchView(id);
      expect(stateOf(view, agent.hdaId)).toBe('succeeded');
      expect(hda).toBeTruthy();
    }
    let view = await batchView(id);
    expect(view.batch.state).toBe('running');
    expect(stateOf(view, c.hdaId)).toBe('pending');
    // c comes back: its first poll starts its item and hands it the task.
    const back = await poll(c.agentToken);
    expect(back.status).toBe(200);
    await report(c.agentToken, back.body.tasks[0].id, 'succeeded');
    view = await batchView(id);
    expect(view.batch.state).toBe('succeeded');
  });

  it('two tasks finishing together start each waiting item once', async () => {
    const hdas = await fleet(4);
    const created = await plane.json('POST', '/api/batches', { token: owner.token, body: { app: 'hello', hdas: hdas.map((h) => h.hdaId), concurrency: 2 } });
    const id = created.body.batch.id;
    // The two started items finish at the same moment, and each finish advances the batch.
    await plane.deps.db
      .update(batchItems)
      .set({ state: 'succeeded' })
      .where(and(eq(batchItems.batchId, id), eq(batchItems.state, 'queued')));
    await Promise.all([advanceBatch(plane.deps, id), advanceBatch(plane.deps, id)]);
    const view = await batchView(id);
    expect(view.items.map((i: { state: string; detail?: string }) => `${i.state}${i.detail ? `: ${i.detail}` : ''}`).sort()).toEqual([
      'queued',
      'queued',
      'succeeded',
      'succeeded',
    ]);
    expect(view.batch.state).toBe('running');
  });

  it('all-or-nothing reverts the HDAs already done when one fails', async () => {
    const [a, b] = await fleet(2);
    const created = await plane.json('POST', '/api/batches', {
      token: owner.token,
      body: { app: 'hello', hdas: [a.hdaId, b.hdaId], concurrency: 1, all_or_nothing: true },
    });
    const id = created.body.batch.id;
    const first = created.body.items.find((i: { state: string }) => i.state === 'queued');
    const [ok, bad] = first.hda_id === a.hdaId ? [a, b] : [b, a];
    await report(ok.agentToken, (await poll(ok.agentToken)).body.tasks[0].id, 'succeeded');
    await report(bad.agentToken, (await poll(bad.agentToken)).body.tasks[0].id, 'failed');
    const view = await batchView(id);
    expect(view.batch.state).toBe('rolled_back');
    expect(stateOf(view, ok.hdaId)).toBe('rolled_back');
    expect(stateOf(view, bad.hdaId)).toBe('failed');
    const revert = (await poll(ok.agentToken)).body.tasks[0];
    expect(revert.kind).toBe('uninstall');
  });

  it('names the app and version, and waives the listed policy rules where it installs', async () => {
    const [a] = await fleet(1);
    const { token: pub } = await publishApp(plane, 'socketed', {
      compose: 'services:\n  web:\n    image: x/y\n    ports: ["HOST_PORT:9000"]\n    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\n',
    });
    expect(pub).toBeTruthy();
    const refused = await plane.json('POST', '/api/batches', { token: owner.token, body: { app: 'socketed', hdas: [a.hdaId] } });
    expect(refused.body.items[0]).toMatchObject({ state: 'failed', detail: expect.stringMatching(/needs review/) });
    const ok = await plane.json('POST', '/api/batches', {
      token: owner.token,
      body: { app: 'socketed', hdas: [a.hdaId], policy_exceptions: ['docker-socket'] },
    });
    expect(ok.body.batch).toMatchObject({ app: { slug: 'socketed' }, version: '1.0', policy_exceptions: ['docker-socket'] });
    expect(ok.body.items[0].state).toBe('queued');
    const install = await plane.json('GET', `/api/installs/${ok.body.items[0].install_id}`, { token: owner.token });
    expect(install.body.install.policy_exceptions).toEqual(['docker-socket']);
  });

  it('refuses HDAs that are not yours and empty selections', async () => {
    const [a] = await fleet(1);
    const intruder = await plane.user('owner');
    expect((await plane.json('POST', '/api/batches', { token: intruder.token, body: { app: 'hello', hdas: [a.hdaId] } })).status).toBe(404);
    expect((await plane.json('POST', '/api/batches', { token: owner.token, body: { app: 'hello' } })).status).toBe(400);
    expect((await plane.json('POST', '/api/batches', { token: owner.token, body: { app: 'hello', tag: 'nothing' } })).status).toBe(400);
    expect(
      (
        await plane.json('POST', '/api/batches', {
          token: owner.token,
          body: { app: 'hello', hdas: [a.hdaId], overrides: { [a.hdaId]: { env: { 'BAD NAME': 'x' } } } },
        })
      ).status,
    ).toBe(400);
  });
});

describe('tasks that do not move the install', () => {
  it('a finished logs task leaves a stopped install stopped', async () => {
    const { installId, agentToken } = await installed();
    await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'stop' } });
    await report(agentToken, (await poll(agentToken)).body.tasks[0].id, 'succeeded');
    await plane.json('POST', `/api/installs/${installId}/logs`, { token: owner.token, body: { tail: 10 } });
    const logs = (await poll(agentToken)).body.tasks[0];
    expect(logs.kind).toBe('logs');
    await report(agentToken, logs.id, 'succeeded');
    expect((await plane.json('GET', `/api/installs/${installId}`, { token: owner.token })).body.install.state).toBe('stopped');
  });
});
