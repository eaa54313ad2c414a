/**
 * An install's place in the off-HDA backup through the API: kept per install (null = the plan), handed
 * to the agent inside the HDA's backup-config with every install's choice, bad input refused with a
 * sentence per field and no change, other owners get 404.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { BackupSecrets } from '../../core/backup/plan';
import { exportPublicJwk, newSealingKeyPair, seal } from '../../core/backup/seal';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string };
const SECRETS: BackupSecrets = { repository: 'rest:http://192.0.2.7:8000/home', password: 'the repository password 1234', env: {} };

beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
  await publishApp(plane, 'hello');
});

const poll = (agentToken: string) => plane.json('GET', '/agent/v1/tasks?wait=0', { token: agentToken });
const report = (agentToken: string, taskId: string) =>
  plane.json('POST', `/agent/v1/tasks/${taskId}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'ok' } });
const get = (id: string, token = owner.token) => plane.json('GET', `/api/installs/${id}/backup`, { token });
const put = (id: string, body: unknown, token = owner.token) => plane.json('PUT', `/api/installs/${id}/backup`, { token, body });

async function installed() {
  const hda = await enrolledHda(plane, owner.token);
  const created = await plane.json('POST', `/api/hdas/${hda.hdaId}/installs`, { token: owner.token, body: { app: 'hello', version: '1.0' } });
  await report(hda.agentToken, (await poll(hda.agentToken)).body.tasks[0].id);
  return { ...hda, installId: created.body.install.id as string, identifier: created.body.install.identifier as string };
}

async function withPlan(h: { hdaId: string; agentToken: string }) {
  const key = await newSealingKeyPair();
  const jwk = await exportPublicJwk(key.publicKey);
  await plane.json('POST', '/agent/v1/heartbeat', { token: h.agentToken, body: { backup_key: jwk } });
  const plan = {
    repository_label: 'office',
    every_hours: 24,
    retention: { daily: 7, weekly: 4, monthly: 6 },
    sealed: await seal(jwk, JSON.stringify(SECRETS)),
  };
  expect((await plane.json('PUT', `/api/hdas/${h.hdaId}/backup`, { token: owner.token, body: plan })).status).toBe(202);
  const task = (await poll(h.agentToken)).body.tasks[0];
  await report(h.agentToken, task.id);
  return { plan, task };
}

describe('install backup', () => {
  it('follows the plan by default; a choice is kept and only travels once the HDA has a plan', async () => {
    const h = await installed();
    expect((await get(h.installId)).body).toEqual({ backup: { mode: 'plan' }, plan: null });
    const own = { mode: 'own', every_hours: 6, retention: { daily: 3 } };
    const r = await put(h.installId, own);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ backup: own, plan: null, task: null });
    expect((await poll(h.agentToken)).body?.tasks ?? []).toEqual([]);
    // Setting the plan later hands the agent the install's choice with it.
    const { plan, task } = await withPlan(h);
    expect(task.payload.apps).toEqual({ [h.identifier]: own });
    expect((await get(h.installId)).body).toEqual({ backup: own, plan: { every_hours: 24, retention: plan.retention } });
  });

  it('a change re-sends backup-config with the plan and every install that differs from it', async () => {
    const h = await installed();
    const { plan } = await withPlan(h);
    const r = await put(h.installId, { mode: 'excluded' });
    expect(r.status).toBe(200);
    expect(r.body.task).toMatchObject({ state: 'queued' });
    const task = (await poll(h.agentToken)).body.tasks[0];
    expect(task).toMatchObject({ kind: 'backup-config', payload: { backup: plan, apps: { [h.identifier]: { mode: 'excluded' } } } });
    await report(h.agentToken, task.id);
    // Back to the plan: stored as null, and the agent's map no longer names the install.
    expect((await put(h.installId, { mode: 'plan' })).body.backup).toEqual({ mode: 'plan' });
    expect((await poll(h.agentToken)).body.tasks[0].payload.apps).toEqual({});
  });

  it('bad input is refused with a sentence per field and changes nothing', async () => {
    const h = await installed();
    const cases: Array<[unknown, RegExp]> = [
      [{ mode: 'sometimes' }, /mode/],
      [{ mode: 'own', every_hours: 6 }, /retention is required when the install has its own schedule/],
      [{ mode: 'own', retention: { daily: 3 } }, /every_hours is required/],
      [{ mode: 'own', every_hours: 0, retention: { daily: 3 } }, /every_hours/],
      [{ mode: 'own', every_hours: 6, retention: { daily: 0 } }, /must keep something/],
      [{ mode: 'excluded', every_hours: 6 }, /every_hours is only set when the install has its own schedule/],
      [{ mode: 'plan', repository: 'rest:http://x' }, /repository/],
    ];
    for (const [body, message] of cases) {
      const r = await put(h.installId, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.message, JSON.stringify(body)).toMatch(message);
    }
    expect((await get(h.installId)).body.backup).toEqual({ mode: 'plan' });
  });

  it("a replacement HDA is handed the moved installs' choices with its own plan", async () => {
    const h = await installed();
    expect((await put(h.installId, { mode: 'excluded' })).body.task).toBeNull(); // the old HDA has no plan
    const fresh = await enrolledHda(plane, owner.token, 'new', 'home.example.com');
    const { plan } = await withPlan(fresh);
    expect((await plane.json('POST', `/api/hdas/${fresh.hdaId}/replace`, { token: owner.token, body: { old_hda: h.hdaId } })).status).toBe(202);
    const kinds: string[] = [];
    for (let i = 0; i < 4 && !kinds.includes('backup-config'); i++) {
      const task = (await poll(fresh.agentToken)).body?.tasks[0];
      if (!task) break;
      kinds.push(task.kind);
      if (task.kind === 'backup-config') expect(task.payload).toEqual({ backup: plan, apps: { [h.identifier]: { mode: 'excluded' } } });
      await report(fresh.agentToken, task.id);
    }
    expect(kinds).toContain('backup-config');
  });

  it("another owner's install is not found, read or written", async () => {
    const h = await installed();
    const other = await plane.user('owner');
    expect((await get(h.installId, other.token)).status).toBe(404);
    expect((await put(h.installId, { mode: 'excluded' }, other.token)).status).toBe(404);
    expect((await get(h.installId)).body.backup).toEqual({ mode: 'plan' });
  });
});
