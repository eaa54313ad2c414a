/**
 * The API side of "a newcomer's first hour": taking back a queued task, retrying a failed install,
 * installs only on HDAs that joined, deleting an HDA, managing users and one's own password, and
 * refusals written as sentences about the field. Tenancy: another owner gets 404 everywhere.
 */
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { appMetrics, batches, batchItems, deployments, installs, snapshots, taskEvents, tasks } from '../../db/schema';
import { ADMIN, createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string; id: string; email: string };
let other: { token: string; id: string; email: string };

beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
  other = await plane.user('owner');
  await publishApp(plane, 'hello');
});

async function installed(name = 'home') {
  const hda = await enrolledHda(plane, owner.token, name, `${name}.example.com`);
  const r = await plane.json('POST', `/api/hdas/${hda.hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
  expect(r.status).toBe(201);
  return { ...hda, installId: r.body.install.id as string, taskId: r.body.task.id as string };
}

const claim = (agentToken: string) => plane.json('GET', '/agent/v1/tasks', { token: agentToken });

describe('cancelling a queued task', () => {
  it('takes back a queued first install: task and deployment cancelled, the install gone, its name free again', async () => {
    const x = await installed();
    expect((await plane.json('POST', `/api/tasks/${x.taskId}/cancel`, { token: other.token })).status).toBe(404);
    const r = await plane.json('POST', `/api/tasks/${x.taskId}/cancel`, { token: owner.token });
    expect(r.status).toBe(200);
    expect(r.body.task.state).toBe('cancelled');
    expect((await plane.json('GET', `/api/installs/${x.installId}`, { token: owner.token })).body.install.state).toBe('removed');
    const deps = (await plane.json('GET', `/api/installs/${x.installId}/deployments`, { token: owner.token })).body.deployments;
    expect(deps[0].status).toBe('cancelled');
    // The agent never gets it, and the app can be installed again.
    expect((await claim(x.agentToken)).status).toBe(204);
    expect((await plane.json('POST', `/api/hdas/${x.hdaId}/installs`, { token: owner.token, body: { app: 'hello' } })).status).toBe(201);
  });

  it('refuses to take back a task the agent has started, saying so, and one that ended', async () => {
    const x = await installed();
    expect((await claim(x.agentToken)).status).toBe(200);
    const started = await plane.json('POST', `/api/tasks/${x.taskId}/cancel`, { token: owner.token });
    expect(started.status).toBe(409);
    expect(started.body.message).toMatch(/already started/);
    await plane.json('POST', `/agent/v1/tasks/${x.taskId}/result`, { token: x.agentToken, body: { state: 'succeeded', detail: 'ok', app_state: 'running' } });
    const ended = await plane.json('POST', `/api/tasks/${x.taskId}/cancel`, { token: owner.token });
    expect(ended.status).toBe(409);
    expect(ended.body.message).toMatch(/already ended/);
  });
});

describe('a failed install', () => {
  it('is failed (not stopped) whatever its containers do, and a retry queues the install again', async () => {
    const x = await installed();
    await claim(x.agentToken);
    await plane.json('POST', `/agent/v1/tasks/${x.taskId}/result`, {
      token: x.agentToken,
      body: { state: 'failed', step: 'up', detail: 'Bind for 0.0.0.0:35001 failed: port is already allocated', app_state: 'exited' },
    });
    const install = (await plane.json('GET', `/api/installs/${x.installId}`, { token: owner.token })).body.install;
    expect(install.state).toBe('failed');
    expect((await plane.json('POST', `/api/installs/${x.installId}/actions`, { token: other.token, body: { action: 'retry' } })).status).toBe(404);
    const retry = await plane.json('POST', `/api/installs/${x.installId}/actions`, { token: owner.token, body: { action: 'retry' } });
    expect(retry.status).toBe(202);
    expect(retry.body.deployment.action).toBe('install');
    expect((await plane.json('GET', `/api/installs/${x.installId}`, { token: owner.token })).body.install.state).toBe('installing');
    const again = await claim(x.agentToken);
    expect(again.body.tasks[0]).toMatchObject({ id: retry.body.task.id, kind: 'install' });
    // A retry taken back before the agent starts it leaves the install failed, not removed.
    await plane.json('POST', `/agent/v1/tasks/${retry.body.task.id}/result`, {
      token: x.agentToken,
      body: { state: 'failed', step: 'up', detail: 'still taken', app_state: 'exited' },
    });
    const queued = await plane.json('POST', `/api/installs/${x.installId}/actions`, { token: owner.token, body: { action: 'retry' } });
    expect((await plane.json('POST', `/api/tasks/${queued.body.task.id}/cancel`, { token: owner.token })).status).toBe(200);
    expect((await plane.json('GET', `/api/installs/${x.installId}`, { token: owner.token })).body.install.state).toBe('failed');
    await plane.json('POST', `/api/installs/${x.installId}/actions`, { token: owner.token, body: { action: 'retry' } });
    // Only a failed install is retried.
    const twice = await plane.json('POST', `/api/installs/${x.installId}/actions`, { token: owner.token, body: { action: 'retry' } });
    expect(twice.status).toBe(409);
    expect(twice.body.message).toMatch(/only a failed install/);
  });

  it('is not queued on an HDA whose agent never joined', async () => {
    const h = await plane.json('POST', '/api/hdas', { token: owner.token, body: { name: 'Later', domain: 'later.example.com' } });
    const r = await plane.json('POST', `/api/hdas/${h.body.hda.id}/installs`, { token: owner.token, body: { app: 'hello' } });
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/Later has not joined yet/);
  });
});

describe('deleting an HDA', () => {
  it("removes it and its installs here, stops its agent's token, and is another owner's 404", async () => {
    const x = await installed();
    expect((await plane.json('DELETE', `/api/hdas/${x.hdaId}`, { token: other.token })).status).toBe(404);
    const r = await plane.json('DELETE', `/api/hdas/${x.hdaId}`, { token: owner.token });
    expect(r).toMatchObject({ status: 200, body: { ok: true, installs_removed: 1 } });
    expect((await plane.json('GET', `/api/hdas/${x.hdaId}`, { token: owner.token })).status).toBe(404);
    expect((await plane.json('GET', `/api/installs/${x.installId}`, { token: owner.token })).status).toBe(404);
    expect((await plane.json('GET', `/api/tasks/${x.taskId}`, { token: owner.token })).status).toBe(404);
    expect((await plane.json('POST', '/agent/v1/heartbeat', { token: x.agentToken, body: {} })).status).toBe(401);
    expect((await plane.json('GET', '/api/installs', { token: owner.token })).body.installs).toEqual([]);
  });

  it('removes every row that names it, its installs or their deployments, whatever the foreign keys require first', async () => {
    const x = await installed();
    const { db } = plane.deps;
    const [task] = await db.select().from(tasks).where(eq(tasks.id, x.taskId));
    const deploymentId = task!.deploymentId!;
    const [version] = await db.select({ id: installs.versionId, appId: installs.appId }).from(installs).where(eq(installs.id, x.installId));
    // The install points at its deployment, and rows of every kind name the HDA, the install and the deployment.
    await db.update(installs).set({ currentDeploymentId: deploymentId }).where(eq(installs.id, x.installId));
    await db.insert(taskEvents).values({ taskId: x.taskId, seq: 1, status: 'OK', message: 'pulled', at: 1 });
    await db.insert(snapshots).values({
      installId: x.installId,
      snapshotId: 'a'.repeat(64),
      taskId: x.taskId,
      deploymentId,
      reason: 'manual',
      takenAt: 1,
      sizeBytes: 1,
      addedBytes: 1,
      downtimeMs: 1,
      files: 1,
    });
    await db
      .insert(appMetrics)
      .values({ hdaId: x.hdaId, identifier: 'hello', resolution: '1h', bucketStart: 0, cpuAvg: 1, cpuMax: 1, memAvg: 1, memMax: 1, samples: 1 });
    await db
      .insert(batches)
      .values({ id: 'fleet-1', ownerId: owner.id, appId: version!.appId, versionId: version!.id, concurrency: 1, state: 'succeeded', createdAt: 1 });
    await db.insert(batchItems).values({ batchId: 'fleet-1', hdaId: x.hdaId, state: 'succeeded', installId: x.installId, taskId: x.taskId, updatedAt: 1 });
    const r = await plane.json('DELETE', `/api/hdas/${x.hdaId}`, { token: owner.token });
    expect(r).toMatchObject({ status: 200, body: { ok: true, installs_removed: 1 } });
    for (const table of [installs, deployments, tasks, taskEvents, snapshots, appMetrics, batchItems]) expect(await db.$count(table)).toBe(0);
    expect(await db.$count(batches)).toBe(1); // the fleet deployment's record stays with its owner
  });
});

describe('HDA names and domains', () => {
  it('refuses a second HDA of the same name (any case) for one owner, not across owners', async () => {
    expect((await plane.json('POST', '/api/hdas', { token: owner.token, body: { name: 'Living room', domain: 'a.example.com' } })).status).toBe(201);
    const dup = await plane.json('POST', '/api/hdas', { token: owner.token, body: { name: 'living ROOM', domain: 'b.example.com' } });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toMatch(/already have an HDA named/);
    expect((await plane.json('POST', '/api/hdas', { token: other.token, body: { name: 'Living room', domain: 'c.example.com' } })).status).toBe(201);
  });

  it('answers refusals as sentences about the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: '', domain: 'home.example.com' }, 'Name is required.'],
      [{ name: 'x'.repeat(101), domain: 'home.example.com' }, 'Name must be at most 100 characters.'],
      [{ name: 'Home', domain: 'localhost' }, 'Domain must be a DNS name with at least one dot, such as home.example.com (apps live at <app>.<domain>).'],
      [{ name: 'Home' }, 'Domain is required.'],
      [{ name: 'Home', domain: 'home.example.com', extra: 1 }, 'The request has fields this request does not take: extra.'],
    ];
    for (const [body, message] of cases) {
      const r = await plane.json('POST', '/api/hdas', { token: owner.token, body });
      expect(r.status).toBe(400);
      expect(r.body.message).toBe(message);
    }
  });
});

describe('user management', () => {
  const adminToken = () => plane.login(ADMIN.email, ADMIN.password);

  it('changes a role and disables an account, which ends its sessions and its sign-in', async () => {
    const admin = await adminToken();
    const r = await plane.json('PATCH', `/api/users/${other.id}`, { token: admin, body: { role: 'publisher' } });
    expect(r.body.user).toMatchObject({ role: 'publisher', disabled: false });
    expect((await plane.json('GET', '/api/auth/me', { token: other.token })).body.role).toBe('publisher');
    expect((await plane.json('PATCH', `/api/users/${other.id}`, { token: admin, body: { disabled: true } })).body.user.disabled).toBe(true);
    expect((await plane.json('GET', '/api/auth/me', { token: other.token })).status).toBe(401);
    expect((await plane.json('PATCH', `/api/users/${other.id}`, { token: owner.token, body: { disabled: false } })).status).toBe(403);
  });

  it('never lets an admin lock themselves out', async () => {
    const admin = await adminToken();
    const me = (await plane.json('GET', '/api/auth/me', { token: admin })).body;
    for (const [method, path, body] of [
      ['PATCH', `/api/users/${me.id}`, { role: 'owner' }],
      ['PATCH', `/api/users/${me.id}`, { disabled: true }],
      ['DELETE', `/api/users/${me.id}`, undefined],
    ] as const) {
      const r = await plane.json(method, path, { token: admin, body });
      expect(r.status).toBe(409);
      expect(r.body.message).toMatch(/your own/);
    }
  });

  it('deletes an account with nothing left, and refuses one that still owns HDAs', async () => {
    const admin = await adminToken();
    await enrolledHda(plane, owner.token);
    const held = await plane.json('DELETE', `/api/users/${owner.id}`, { token: admin });
    expect(held.status).toBe(409);
    expect(held.body.message).toMatch(/still has 1 HDA/);
    expect((await plane.json('DELETE', `/api/users/${other.id}`, { token: admin })).status).toBe(200);
    expect((await plane.json('GET', '/api/users', { token: admin })).body.users.map((u: { id: string }) => u.id)).not.toContain(other.id);
  });

  it('sets a new password for someone (admin), and everyone changes their own with the current one', async () => {
    const admin = await adminToken();
    expect((await plane.json('PUT', `/api/users/${other.id}/password`, { token: admin, body: { password: 'reset-by-admin-1' } })).status).toBe(200);
    await plane.login(other.email, 'reset-by-admin-1');
    const wrong = await plane.json('PUT', '/api/account/password', {
      token: other.token,
      body: { current_password: 'not-it-at-all', new_password: 'mine-again-123' },
    });
    // A wrong current password is a refused field, never a 401 a browser would read as "signed out".
    expect(wrong).toMatchObject({ status: 400, body: { message: 'Current password is not right.' } });
    const short = await plane.json('PUT', '/api/account/password', {
      token: other.token,
      body: { current_password: 'reset-by-admin-1', new_password: 'short' },
    });
    expect(short.body.message).toBe('New password must be at least 10 characters.');
    expect(
      (await plane.json('PUT', '/api/account/password', { token: other.token, body: { current_password: 'reset-by-admin-1', new_password: 'mine-again-123' } }))
        .status,
    ).toBe(200);
    await plane.login(other.email, 'mine-again-123');
    expect((await plane.json('POST', '/api/auth/login', { body: { email: other.email, password: 'reset-by-admin-1' } })).status).toBe(401);
  });
});

describe('a new password ends the sessions of the old one', () => {
  const me = (token: string) => plane.json('GET', '/api/auth/me', { token });
  const adminToken = () => plane.login(ADMIN.email, ADMIN.password);

  it('an admin reset ends every session of the account', async () => {
    const admin = await adminToken();
    expect((await me(other.token)).status).toBe(200);
    plane.clock.advance(2000);
    expect((await plane.json('PUT', `/api/users/${other.id}/password`, { token: admin, body: { password: 'reset-by-admin-1' } })).status).toBe(200);
    expect((await me(other.token)).status).toBe(401);
    expect((await me(await plane.login(other.email, 'reset-by-admin-1'))).status).toBe(200);
  });

  it("changing one's own ends the other sessions and keeps this browser signed in with a new one", async () => {
    await plane.json('PUT', `/api/users/${other.id}/password`, { token: await adminToken(), body: { password: 'known-password-1' } });
    const here = await plane.login(other.email, 'known-password-1');
    const elsewhere = await plane.login(other.email, 'known-password-1');
    plane.clock.advance(2000);
    const r = await plane.json('PUT', '/api/account/password', { token: here, body: { current_password: 'known-password-1', new_password: 'mine-again-123' } });
    expect(r.status).toBe(200);
    expect((await me(elsewhere)).status).toBe(401);
    expect((await me(here)).status).toBe(401);
    expect((await me(r.body.token)).status).toBe(200);
  });
});

describe('catalog icons and categories', () => {
  it('stores a category from the list and a data: image icon, filters by category, and refuses the rest', async () => {
    const pub = await plane.user('publisher');
    const icon = "data:image/svg+xml,%3Csvg%20xmlns%3D'http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg'%2F%3E";
    const ok = await plane.json('POST', '/api/catalog/apps', { token: pub.token, body: { slug: 'pics', name: 'Pics', category: 'media', icon_url: icon } });
    expect(ok.body.app).toMatchObject({ category: 'media', icon_url: icon });
    expect((await plane.json('GET', '/api/catalog/apps?category=media')).body.apps.map((a: { slug: string }) => a.slug)).toEqual(['pics']);
    const badCat = await plane.json('POST', '/api/catalog/apps', { token: pub.token, body: { slug: 'x1', name: 'X', category: 'games' } });
    expect(badCat.body.message).toMatch(/^Category must be one of: media, /);
    const remote = await plane.json('POST', '/api/catalog/apps', { token: pub.token, body: { slug: 'x2', name: 'X', icon_url: 'https://example.com/i.png' } });
    expect(remote.body.message).toBe('Icon must be a PNG, WebP or SVG image as a data: URL.');
  });
});
