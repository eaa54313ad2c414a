/**
 * Upkeep inside workerd + D1: the Worker's scheduled() handler, as the cron trigger calls it, fails
 * work held by HDAs gone offline and deletes what is past retention.
 */
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../worker/index';
import { adminToken, call, d1, enrolled, publish, take } from './edge-client';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

async function runCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: '*/5 * * * *', scheduledTime: Date.now() }), env as never, ctx);
  await waitOnExecutionContext(ctx);
}

const count = async (sql: string, ...args: unknown[]) =>
  (
    await d1()
      .prepare(sql)
      .bind(...args)
      .first<{ n: number }>()
  )?.n ?? 0;

describe('scheduled upkeep on workerd + D1', () => {
  it('fails a task its offline HDA holds and a batch item past its start deadline', async () => {
    const admin = await adminToken();
    await publish(admin, 'upkept');
    const gone = await enrolled(admin, 'gone');
    const install = await call('POST', `/api/hdas/${gone.hdaId}/installs`, { token: admin, body: { app: 'upkept' } });
    const task = await take(gone.agent);
    expect(task?.kind).toBe('install');
    const away = await enrolled(admin, 'away');
    const now = Date.now();
    // The HDAs were last heard of an hour ago; the task's lease ended then too.
    await d1()
      .prepare('UPDATE hdas SET last_seen_at = ? WHERE id IN (?, ?)')
      .bind(now - HOUR, gone.hdaId, away.hdaId)
      .run();
    await d1()
      .prepare('UPDATE tasks SET lease_until = ? WHERE id = ?')
      .bind(now - HOUR, task!.id)
      .run();
    const batch = await call('POST', '/api/batches', { token: admin, body: { app: 'upkept', hdas: [away.hdaId] } });
    expect(batch.body.items[0].state).toBe('pending');
    await d1()
      .prepare('UPDATE batch_items SET updated_at = ? WHERE batch_id = ?')
      .bind(now - 25 * HOUR, batch.body.batch.id)
      .run();

    await runCron();

    const t = await call('GET', `/api/tasks/${task!.id}`, { token: admin });
    expect(t.body.task).toMatchObject({ state: 'failed', failed_step: 'lease' });
    expect((await call('GET', `/api/installs/${install.body.install.id}`, { token: admin })).body.install.state).toBe('failed');
    const b = await call('GET', `/api/batches/${batch.body.batch.id}`, { token: admin });
    expect(b.body.batch.state).toBe('failed');
    expect(b.body.items[0].detail).toMatch(/stayed offline past the start deadline/);
  });

  it('prunes tasks with their events, audit rows, expired revocations and metrics past retention', async () => {
    const admin = await adminToken();
    const hda = await enrolled(admin, 'pruned');
    const now = Date.now();
    const old = now - 400 * DAY;
    await d1().batch([
      d1()
        .prepare(
          `INSERT INTO tasks (id, hda_id, kind, lane, payload_json, state, attempts, created_at, finished_at) VALUES (?, ?, 'logs', 'aux', '{}', 'succeeded', 1, ?, ?), (?, ?, 'logs', 'aux', '{}', 'succeeded', 1, ?, ?)`,
        )
        .bind('old-task', hda.hdaId, old, old, 'new-task', hda.hdaId, now, now),
      d1()
        .prepare(
          `INSERT INTO task_events (task_id, seq, status, message, at) VALUES ('old-task', 1, 'Starting', 'a', ?), ('old-task', 2, 'Finalized', 'b', ?), ('new-task', 1, 'Starting', 'c', ?)`,
        )
        .bind(old, old, now),
      d1()
        .prepare(`INSERT INTO revoked_sessions (jti, expires_at) VALUES ('expired', ?), ('live', ?)`)
        .bind(now - HOUR, now + HOUR),
      d1()
        .prepare(
          `INSERT INTO app_metrics (hda_id, identifier, resolution, bucket_start, cpu_avg, cpu_max, mem_avg, mem_max, samples) VALUES
           (?1, 'x', '5m', ?2, 1, 1, 1, 1, 1), (?1, 'x', '5m', ?3, 1, 1, 1, 1, 1), (?1, 'x', '1h', ?4, 1, 1, 1, 1, 1), (?1, 'x', '1h', ?2, 1, 1, 1, 1, 1)`,
        )
        .bind(hda.hdaId, now - 3 * DAY, now - HOUR, old),
      d1().prepare(`INSERT INTO audit_log (actor_kind, action, at) VALUES ('system', 'upkeep.old', ?), ('system', 'upkeep.recent', ?)`).bind(old, now),
      // More old tasks than D1 binds parameters (100), each with events: a prune by lists of ids would fail.
      d1()
        .prepare(
          `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150)
           INSERT INTO tasks (id, hda_id, kind, lane, payload_json, state, attempts, created_at, finished_at)
           SELECT 'bulk-' || i, ?, 'logs', 'aux', '{}', 'failed', 1, ?, ? FROM n`,
        )
        .bind(hda.hdaId, old, old),
      d1().prepare(`INSERT INTO task_events (task_id, seq, status, message, at) SELECT id, 1, 'Log', 'line', ? FROM tasks WHERE id LIKE 'bulk-%'`).bind(old),
    ]);

    await runCron();

    expect(await count(`SELECT count(*) AS n FROM tasks WHERE id LIKE 'bulk-%'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM task_events WHERE task_id LIKE 'bulk-%'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM tasks WHERE id IN ('old-task', 'new-task')`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM task_events WHERE task_id = 'old-task'`)).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM task_events WHERE task_id = 'new-task'`)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM revoked_sessions WHERE jti IN ('expired', 'live')`)).toBe(1);
    // 5-minute rows live 48 h, hourly ones 30 days: the recent 5-minute row and the 3-day-old hour stay.
    expect(await count(`SELECT count(*) AS n FROM app_metrics WHERE hda_id = ?`, hda.hdaId)).toBe(2);
    expect(await count(`SELECT count(*) AS n FROM audit_log WHERE action LIKE 'upkeep.%'`)).toBe(1);
  });
});
