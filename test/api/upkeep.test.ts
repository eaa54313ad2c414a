/**
 * Upkeep on Node: the timer runs the pass (a fake interval and the plane's fake clock), which fails work
 * held by HDAs gone offline and deletes what is past retention, a bounded slice per pass.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLog, taskEvents, tasks } from '../../db/schema';
import { PRUNE_SLICE, PRUNE_SLICES } from '../../worker/jobs/prune';
import type { UpkeepReport } from '../../worker/jobs/upkeep';
import { startUpkeepTimer, type UpkeepTimer } from '../../worker/jobs/upkeep-timer';
import { ADMIN, createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
let plane: TestPlane;
let owner: { token: string; id: string };
let timer: UpkeepTimer | undefined;
let reports: UpkeepReport[];
let heard: (() => void) | undefined;

beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
  reports = [];
});
afterEach(() => {
  timer?.stop();
  vi.useRealTimers();
});

/** Starts the Node timer on a fake interval; the first pass runs at once. */
async function startTimer() {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  const first = nextPass();
  timer = startUpkeepTimer(plane.deps, 5 * MINUTE, (r) => {
    reports.push(r);
    heard?.();
  });
  return first;
}
const nextPass = () => new Promise<void>((resolve) => (heard = resolve));
async function tick() {
  const pass = nextPass();
  vi.advanceTimersByTime(5 * MINUTE);
  await pass;
  return reports.at(-1)!;
}

async function claimedInstall() {
  await publishApp(plane, 'hello');
  const hda = await enrolledHda(plane, owner.token);
  const install = await plane.json('POST', `/api/hdas/${hda.hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
  const polled = await plane.json('GET', '/agent/v1/tasks?wait=0', { token: hda.agentToken });
  const task = polled.body.tasks[0];
  await plane.json('POST', `/agent/v1/tasks/${task.id}/events`, { token: hda.agentToken, body: [{ seq: 1, status: 'Starting', step: 'up', message: 'up' }] });
  return { ...hda, installId: install.body.install.id as string, taskId: task.id as string };
}

describe('upkeep on the Node timer', () => {
  it('fails a task whose HDA went offline holding it, then prunes it with its events past retention', async () => {
    const { installId, taskId, agentToken } = await claimedInstall();
    // Lease (300 s) plus the grace (30 min) have passed without a word from the HDA.
    plane.clock.advance(5 * MINUTE + plane.deps.config.offlineTaskGraceMinutes * MINUTE + MINUTE);
    await startTimer();
    expect(reports[0]).toMatchObject({ leasesExpired: 1, tasks: 0 });
    const task = (await plane.json('GET', `/api/tasks/${taskId}`, { token: owner.token })).body;
    expect(task.task).toMatchObject({ state: 'failed', failed_step: 'lease' });
    expect(task.task.detail).toMatch(/went offline while running this task/);
    expect((await plane.json('GET', `/api/installs/${installId}`, { token: owner.token })).body.install.state).toBe('failed');
    // The agent, back late, hears its result is no longer wanted.
    expect((await plane.json('POST', `/agent/v1/tasks/${taskId}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'ok' } })).status).toBe(409);
    const [closed] = await plane.deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, taskId), eq(auditLog.action, 'task.failed')));
    expect(closed).toMatchObject({ actorKind: 'system', actorId: null });

    // Nothing more to do until the task is older than the retention period.
    expect(await tick()).toMatchObject({ leasesExpired: 0, tasks: 0, events: 0 });
    plane.clock.advance((plane.deps.config.taskRetentionDays + 1) * DAY);
    expect(await tick()).toMatchObject({ tasks: 1, events: 1 });
    const admin = await plane.login(ADMIN.email, ADMIN.password); // the owner's session has long expired
    expect((await plane.json('GET', `/api/tasks/${taskId}`, { token: admin })).status).toBe(404);
  });

  it('leaves a task alone while its HDA is online, even with its lease run out', async () => {
    const { taskId, agentToken } = await claimedInstall();
    plane.clock.advance(plane.deps.config.offlineTaskGraceMinutes * MINUTE + 10 * MINUTE);
    await plane.json('POST', '/agent/v1/heartbeat', { token: agentToken, body: {} });
    await startTimer();
    expect(reports[0].leasesExpired).toBe(0);
    expect((await plane.json('GET', `/api/tasks/${taskId}`, { token: owner.token })).body.task.state).toBe('claimed');
  });

  it('fails batch items whose HDA stays offline past the start deadline, and closes the batch', async () => {
    await publishApp(plane, 'hello');
    const away = await enrolledHda(plane, owner.token, 'away', 'away.example.com');
    plane.clock.advance(10 * MINUTE);
    const created = await plane.json('POST', '/api/batches', { token: owner.token, body: { app: 'hello', hdas: [away.hdaId] } });
    expect(created.body.items[0].state).toBe('pending');
    await startTimer();
    expect(reports[0].batchItemsExpired).toBe(0); // not yet past the deadline
    plane.clock.advance(plane.deps.config.batchStartDeadlineHours * 60 * MINUTE + MINUTE);
    expect((await tick()).batchItemsExpired).toBe(1);
    const admin = await plane.login(ADMIN.email, ADMIN.password); // the owner's session has expired meanwhile
    const view = (await plane.json('GET', `/api/batches/${created.body.batch.id}`, { token: admin })).body;
    expect(view.batch.state).toBe('failed');
    expect(view.items[0]).toMatchObject({ state: 'failed' });
    expect(view.items[0].detail).toMatch(/stayed offline past the start deadline/);
  });

  it('prunes revoked sessions once their token has expired anyway', async () => {
    const token = await plane.login(ADMIN.email, ADMIN.password);
    expect((await plane.json('POST', '/api/auth/logout', { token })).status).toBeLessThan(300);
    const revoked = async () => Number((await plane.deps.db.all<{ n: number }>('SELECT count(*) AS n FROM revoked_sessions' as never))[0].n);
    expect(await revoked()).toBe(1);
    await startTimer();
    expect(await revoked()).toBe(1);
    plane.clock.advance(plane.deps.config.sessionTtlS * 1000 + MINUTE);
    expect((await tick()).sessions).toBe(1);
    expect(await revoked()).toBe(0);
  });

  it('deletes at most a bounded number of rows per pass and takes the rest on the next', async () => {
    const old = plane.clock.now - (plane.deps.config.auditRetentionDays + 1) * DAY;
    const budget = PRUNE_SLICE * PRUNE_SLICES;
    const rows = Array.from({ length: budget + 7 }, (_, i) => ({ actorKind: 'system' as const, action: 'test.old', at: old + i }));
    for (let i = 0; i < rows.length; i += 1000) await plane.deps.db.insert(auditLog).values(rows.slice(i, i + 1000));
    await startTimer();
    expect(reports[0].audit).toBe(budget);
    expect((await tick()).audit).toBe(7);
    expect((await tick()).audit).toBe(0);
  });

  it('deletes a task only after all its events, however many passes that takes', async () => {
    const { hdaId } = await enrolledHda(plane, owner.token);
    const old = plane.clock.now - (plane.deps.config.taskRetentionDays + 1) * DAY;
    await plane.deps.db
      .insert(tasks)
      .values({ id: 'chatty', hdaId, kind: 'logs', lane: 'aux', payloadJson: {} as never, state: 'succeeded', createdAt: old, finishedAt: old });
    const budget = PRUNE_SLICE * PRUNE_SLICES;
    const events = Array.from({ length: budget + 3 }, (_, i) => ({ taskId: 'chatty', seq: i + 1, status: 'OK' as const, message: 'line', at: old }));
    for (let i = 0; i < events.length; i += 1000) await plane.deps.db.insert(taskEvents).values(events.slice(i, i + 1000));
    await startTimer();
    expect(reports[0]).toMatchObject({ events: budget, tasks: 0 });
    expect(await tick()).toMatchObject({ events: 3, tasks: 1 });
  });
});
