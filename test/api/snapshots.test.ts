/**
 * Data snapshots on the control plane: recorded from agents' results, listed per install, taken on
 * demand and restored as tasks with confirmation, rollback "with its data as of then" choosing the
 * snapshot taken before the deployment that followed; another owner's install is a 404.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string; id: string };
beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
});

const poll = async (agentToken: string) => (await plane.json('GET', '/agent/v1/tasks?wait=0', { token: agentToken })).body?.tasks?.[0];
const report = (agentToken: string, taskId: string, state: 'succeeded' | 'failed', extra: Record<string, unknown> = {}) =>
  plane.json('POST', `/agent/v1/tasks/${taskId}/result`, { token: agentToken, body: { state, detail: state, ...extra } });
const snapId = (n: number) => n.toString(16).padStart(64, 'a');
const snapshot = (n: number, reason: string, at: string) => ({
  id: snapId(n),
  reason,
  taken_at: at,
  size_bytes: 1000 * n,
  added_bytes: 10 * n,
  downtime_ms: 120 + n,
  files: 3,
  volumes: ['hello_db'],
});

async function installed() {
  const { token } = await publishApp(plane, 'hello', { version: '1.0' });
  await publishApp(plane, 'hello', { version: '2.0', token });
  const hda = await enrolledHda(plane, owner.token);
  const created = await plane.json('POST', `/api/hdas/${hda.hdaId}/installs`, { token: owner.token, body: { app: 'hello', version: '1.0' } });
  const t = await poll(hda.agentToken);
  await report(hda.agentToken, t.id, 'succeeded');
  return { ...hda, installId: created.body.install.id as string };
}

describe('data snapshots', () => {
  it('records the snapshot an update took, lists it, and a rollback with data restores it after confirmation', async () => {
    const { installId, agentToken } = await installed();
    const deps = await plane.json('GET', `/api/installs/${installId}/deployments`, { token: owner.token });
    const firstDeployment = deps.body.deployments[0].id;
    plane.clock.advance(60_000);
    await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'update', version: '2.0' } });
    const up = await poll(agentToken);
    const taken = snapshot(1, 'update', new Date(plane.clock.now).toISOString());
    expect((await report(agentToken, up.id, 'succeeded', { snapshots: [taken] })).status).toBe(200);
    // A re-sent result records nothing twice.
    await report(agentToken, up.id, 'succeeded', { snapshots: [taken] });

    const list = await plane.json('GET', `/api/installs/${installId}/snapshots`, { token: owner.token });
    expect(list.status).toBe(200);
    expect(list.body.snapshots).toEqual([
      expect.objectContaining({
        id: taken.id,
        reason: 'update',
        size_bytes: 1000,
        added_bytes: 10,
        downtime_ms: 121,
        deployment_id: up.deployment_id,
        volumes: ['hello_db'],
      }),
    ]);

    const body = { action: 'rollback', deployment: firstDeployment, with_data: true };
    const unconfirmed = await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.message).toMatch(/everything written since is lost/);
    expect(await poll(agentToken)).toBeUndefined();

    const ok = await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { ...body, confirm: true } });
    expect(ok.status).toBe(202);
    const rb = await poll(agentToken);
    expect(rb.kind).toBe('rollback');
    expect(rb.payload.restore_snapshot).toEqual({ id: taken.id });
    expect(rb.payload.version.version).toBe('1.0');
  });

  it('a rollback with data and no snapshot of that time is refused; without data it goes on as before', async () => {
    const { installId, agentToken } = await installed();
    await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'update', version: '2.0' } });
    await report(agentToken, (await poll(agentToken)).id, 'succeeded');
    const refused = await plane.json('POST', `/api/installs/${installId}/actions`, {
      token: owner.token,
      body: { action: 'rollback', with_data: true, confirm: true },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/no snapshot of the data/);
    expect((await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'update', with_data: true } })).status).toBe(
      400,
    );
    const plain = await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'rollback' } });
    expect(plain.status).toBe(202);
    expect((await poll(agentToken)).payload.restore_snapshot).toBeUndefined();
  });

  it('takes a snapshot on demand and restores one as tasks, the restore only when confirmed', async () => {
    const { installId, agentToken } = await installed();
    const queued = await plane.json('POST', `/api/installs/${installId}/snapshots`, { token: owner.token, body: {} });
    expect(queued.status).toBe(202);
    const t = await poll(agentToken);
    expect(t.kind).toBe('snapshot');
    expect(t.deployment_id).toBeNull();
    await report(agentToken, t.id, 'succeeded', { snapshots: [snapshot(2, 'manual', new Date(plane.clock.now).toISOString())] });
    const install = await plane.json('GET', `/api/installs/${installId}`, { token: owner.token });
    expect(install.body.install.state).toBe('running');

    const url = `/api/installs/${installId}/snapshots/${snapId(2)}/restore`;
    const unconfirmed = await plane.json('POST', url, { token: owner.token, body: {} });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.details.warning).toMatch(/everything written since is lost/);
    expect(await poll(agentToken)).toBeUndefined();
    expect(
      (await plane.json('POST', `/api/installs/${installId}/snapshots/${snapId(3)}/restore`, { token: owner.token, body: { confirm: true } })).status,
    ).toBe(404);
    expect((await plane.json('POST', `/api/installs/${installId}/snapshots/not-hex/restore`, { token: owner.token, body: { confirm: true } })).status).toBe(
      400,
    );

    const ok = await plane.json('POST', url, { token: owner.token, body: { confirm: true } });
    expect(ok.status).toBe(202);
    const r = await poll(agentToken);
    expect(r.kind).toBe('restore');
    expect(r.payload.restore_snapshot).toEqual({ id: snapId(2) });
    await report(agentToken, r.id, 'succeeded', { restored_snapshot: snapId(2), snapshots: [snapshot(4, 'restore', new Date(plane.clock.now).toISOString())] });
    const list = await plane.json('GET', `/api/installs/${installId}/snapshots`, { token: owner.token });
    expect(list.body.snapshots.map((s: { reason: string }) => s.reason).sort()).toEqual(['manual', 'restore']);
  });

  it("another owner sees a 404 for the install's snapshots, taking one and restoring one", async () => {
    const { installId, agentToken } = await installed();
    await plane.json('POST', `/api/installs/${installId}/snapshots`, { token: owner.token, body: {} });
    const t = await poll(agentToken);
    await report(agentToken, t.id, 'succeeded', { snapshots: [snapshot(5, 'manual', new Date(plane.clock.now).toISOString())] });
    const other = await plane.user('owner');
    expect((await plane.json('GET', `/api/installs/${installId}/snapshots`, { token: other.token })).status).toBe(404);
    expect((await plane.json('POST', `/api/installs/${installId}/snapshots`, { token: other.token, body: {} })).status).toBe(404);
    expect(
      (await plane.json('POST', `/api/installs/${installId}/snapshots/${snapId(5)}/restore`, { token: other.token, body: { confirm: true } })).status,
    ).toBe(404);
    expect(await poll(agentToken)).toBeUndefined();
  });

  it('refuses a malformed snapshot report from an agent', async () => {
    const { installId, agentToken } = await installed();
    await plane.json('POST', `/api/installs/${installId}/snapshots`, { token: owner.token, body: {} });
    const t = await poll(agentToken);
    const bad = await report(agentToken, t.id, 'succeeded', { snapshots: [{ ...snapshot(6, 'manual', new Date().toISOString()), id: '../x' }] });
    expect(bad.status).toBe(400);
  });
});
