/**
 * The defects found on workerd + D1, each shown fixed there: the fleet batch race under concurrent
 * finishes, a batch wider than D1's 100 parameters, metrics bounds and incremental rollup, events after
 * a result, an abandoned long poll.
 * (The login rate limit across isolates is in api.workers.test.ts.)
 */
import { METRICS_PER_HEARTBEAT_MAX } from '../../core/protocol';
import { describe, expect, it } from 'vitest';
import { adminToken, call, d1, enrolled, publish, take } from './edge-client';

const TRIALS = 8;
const finish = (agent: string, id: string) => call('POST', `/agent/v1/tasks/${id}/result`, { token: agent, body: { state: 'succeeded', detail: 'ok' } });

describe('fleet batches on D1', () => {
  it(`start each item once when two of its tasks finish together (${TRIALS} trials, none may fail)`, async () => {
    const admin = await adminToken();
    const fleet = [];
    for (let i = 0; i < 4; i++) fleet.push(await enrolled(admin, `race${i}`));
    const outcomes: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const slug = `race-app-${trial}`;
      await publish(admin, slug);
      const created = await call('POST', '/api/batches', { token: admin, body: { app: slug, hdas: fleet.map((h) => h.hdaId), concurrency: 2 } });
      expect(created.status).toBe(201);
      const id = created.body.batch.id;
      // Two rounds: the two running installs finish at the same moment, and both advance the batch.
      for (let round = 0; round < 2; round++) {
        const running = [];
        for (const h of fleet) {
          const task = await take(h.agent);
          if (task) running.push({ agent: h.agent, id: task.id });
        }
        expect(running).toHaveLength(2);
        const answers = await Promise.all(running.map((r) => finish(r.agent, r.id)));
        expect(answers.map((a) => a.status)).toEqual([200, 200]);
      }
      const view = await call('GET', `/api/batches/${id}`, { token: admin });
      outcomes.push(view.body.batch.state);
      expect(view.body.items.map((i: { state: string }) => i.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
      const installs = await d1()
        .prepare(`SELECT count(*) AS n FROM installs i JOIN apps a ON a.id = i.app_id WHERE a.slug = ?`)
        .bind(slug)
        .first<{ n: number }>();
      expect(installs?.n).toBe(4); // one per HDA, none started twice
    }
    expect(outcomes).toEqual(Array(TRIALS).fill('succeeded'));
  }, 120_000);
});

describe('a fleet batch on D1', () => {
  it('takes more HDAs than one statement can bind parameters for (D1: 100)', async () => {
    const admin = await adminToken();
    await publish(admin, 'wide');
    const fleet = [];
    for (let i = 0; i < 25; i++) fleet.push(await enrolled(admin, `wide${i}`));
    const created = await call('POST', '/api/batches', { token: admin, body: { app: 'wide', hdas: fleet.map((h) => h.hdaId), concurrency: 5 } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.items).toHaveLength(25);
    expect(created.body.items.filter((i: { state: string }) => i.state === 'queued')).toHaveLength(5);
  }, 60_000);
});

describe('metrics on D1', () => {
  it("stores only the HDA's own installs inside the window, caps a beat, and adds each sample into its hour once", async () => {
    const admin = await adminToken();
    await publish(admin, 'metered');
    const hda = await enrolled(admin, 'metered');
    const install = await call('POST', `/api/hdas/${hda.hdaId}/installs`, { token: admin, body: { app: 'metered' } });
    const identifier = install.body.install.identifier as string;
    const now = Date.now();
    const hour = now - (now % 3600_000) - 3600_000;
    const sample = (id: string, at: number, cpu = 1) => ({
      identifier: id,
      at: new Date(at).toISOString(),
      cpu_avg: cpu,
      cpu_max: cpu,
      memory_avg: 1,
      memory_max: 1,
      samples: 10,
    });
    const beat = (metrics: unknown[]) => call('POST', '/agent/v1/heartbeat', { token: hda.agent, body: { metrics } });

    const foreign = [sample('not-mine', hour), sample(identifier, Date.UTC(2099, 0, 1)), sample(identifier, now - 72 * 3600_000)];
    expect((await beat([...foreign, sample(identifier, hour, 10), sample(identifier, hour + 300_000, 30)])).status).toBe(200);
    expect((await beat([sample(identifier, hour + 300_000, 30)])).status).toBe(200); // re-sent after an outage
    const rows = await d1()
      .prepare(
        'SELECT identifier, resolution, bucket_start AS at, cpu_avg AS cpu, samples FROM app_metrics WHERE hda_id = ? ORDER BY resolution DESC, bucket_start',
      )
      .bind(hda.hdaId)
      .all<{ identifier: string; resolution: string; at: number; cpu: number; samples: number }>();
    expect(rows.results.map((r) => [r.identifier, r.resolution, r.cpu, r.samples])).toEqual([
      [identifier, '5m', 10, 10],
      [identifier, '5m', 30, 10],
      [identifier, '1h', 20, 20],
    ]);
    const many = Array.from({ length: METRICS_PER_HEARTBEAT_MAX + 1 }, (_, i) => sample(identifier, now - i * 300_000));
    expect((await beat(many)).status).toBe(400);
  });
});

describe('task reports on D1', () => {
  it('refuses events after a task has its result, and takes a re-sent one as a duplicate', async () => {
    const admin = await adminToken();
    await publish(admin, 'reported');
    const hda = await enrolled(admin, 'reported');
    await call('POST', `/api/hdas/${hda.hdaId}/installs`, { token: admin, body: { app: 'reported' } });
    const task = await take(hda.agent);
    const events = (seqs: number[]) => seqs.map((seq) => ({ seq, status: 'Starting', step: 'up', message: `event ${seq}` }));
    const post = (seqs: number[]) => call('POST', `/agent/v1/tasks/${task!.id}/events`, { token: hda.agent, body: events(seqs) });
    expect((await post([1, 2])).body).toMatchObject({ accepted: 2 });
    expect((await finish(hda.agent, task!.id)).status).toBe(200);
    const late = await post([3]);
    expect(late.status).toBe(409);
    expect(late.body.error.message ?? late.body.message ?? JSON.stringify(late.body)).toMatch(/events after its result are refused/);
    expect((await post([2])).body).toMatchObject({ accepted: 0, duplicates: 1 });
    const stored = await d1().prepare('SELECT count(*) AS n FROM task_events WHERE task_id = ?').bind(task!.id).first<{ n: number }>();
    expect(stored?.n).toBe(2);
  });
});

describe('an abandoned long poll on workerd', () => {
  // Shows the outcome, not the flag: inside this test runner an aborted SELF.fetch ends the handler with
  // or without enable_request_signal (tried: it passes without the flag too). Deployed, the handler
  // runs on after the client leaves, and the flag is what lets the poll hear it (wrangler.toml).
  it('claims nothing after its agent went away', async () => {
    const admin = await adminToken();
    await publish(admin, 'abandoned');
    const hda = await enrolled(admin, 'abandoned');
    // Stale last_seen: the poll writes it on arrival, which tells the test it is in and about to wait.
    await d1().prepare('UPDATE hdas SET last_seen_at = 1 WHERE id = ?').bind(hda.hdaId).run();
    const gone = new AbortController();
    const poll = call('GET', '/agent/v1/tasks?wait=20', { token: hda.agent, signal: gone.signal }).catch((err: Error) => err);
    await expect
      .poll(async () => (await d1().prepare('SELECT last_seen_at AS t FROM hdas WHERE id = ?').bind(hda.hdaId).first<{ t: number }>())?.t, { timeout: 10_000 })
      .toBeGreaterThan(1);
    gone.abort();
    expect(await poll).toBeInstanceOf(Error);
    const install = await call('POST', `/api/hdas/${hda.hdaId}/installs`, { token: admin, body: { app: 'abandoned' } });
    expect(install.status).toBe(201);
    // The next poll of the agent gets the install: the abandoned one did not take it for nobody.
    const next = await call('GET', '/agent/v1/tasks?wait=5', { token: hda.agent });
    expect(next.status).toBe(200);
    expect(next.body.tasks[0]).toMatchObject({ kind: 'install', attempts: 1 });
  });
});
