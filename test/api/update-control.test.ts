import { beforeEach, describe, expect, it } from 'vitest';
import { createTestPlane, enrolledHda, publishApp, SIMPLE_COMPOSE, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string; id: string };
let publisher: string;
beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
  publisher = (await publishApp(plane, 'hello')).token;
});

const poll = (agentToken: string) => plane.json('GET', '/agent/v1/tasks?wait=0', { token: agentToken });
const report = (agentToken: string, taskId: string, state: 'succeeded' | 'failed') =>
  plane.json('POST', `/agent/v1/tasks/${taskId}/result`, { token: agentToken, body: { state, detail: state } });
const publish = (version: string, release_notes?: unknown) =>
  plane.json('POST', '/api/catalog/apps/hello/versions', { token: publisher, body: { version, kind: 'container', compose: SIMPLE_COMPOSE, release_notes } });

async function installedOn(name = 'home') {
  const hda = await enrolledHda(plane, owner.token, name, `${name}.example.com`);
  const created = await plane.json('POST', `/api/hdas/${hda.hdaId}/installs`, { token: owner.token, body: { app: 'hello', version: '1.0' } });
  await report(hda.agentToken, (await poll(hda.agentToken)).body.tasks[0].id, 'succeeded');
  return { ...hda, installId: created.body.install.id as string };
}
const offer = (installId: string, token = owner.token) => plane.json('GET', `/api/installs/${installId}/updates`, { token });
const control = (installId: string, body: unknown, token = owner.token) => plane.json('PUT', `/api/installs/${installId}/updates`, { token, body });
const update = (installId: string, version?: string) =>
  plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'update', ...(version ? { version } : {}) } });
const deploymentCount = async (installId: string) =>
  (await plane.json('GET', `/api/installs/${installId}/deployments`, { token: owner.token })).body.deployments.length;

describe('release notes', () => {
  it('are stored with the version a publisher publishes and shown in the catalog, as plain text', async () => {
    expect((await publish('2.0', 'Fixes <b>login</b>.\nMigrates the database.')).status).toBe(201);
    const app = await plane.json('GET', '/api/catalog/apps/hello');
    expect(app.body.versions.map((v: { version: string; release_notes: string | null }) => [v.version, v.release_notes])).toEqual([
      ['2.0', 'Fixes <b>login</b>.\nMigrates the database.'],
      ['1.0', null],
    ]);
  });

  it('notes too long or not text are refused with a message and publish nothing', async () => {
    for (const notes of ['x'.repeat(20_001), 42]) {
      const r = await publish('2.0', notes);
      expect(r.status).toBe(400);
      expect(r.body.message).toMatch(/release_notes/);
    }
    const app = await plane.json('GET', '/api/catalog/apps/hello');
    expect(app.body.versions.map((v: { version: string }) => v.version)).toEqual(['1.0']);
  });
});

describe('update available, hold and skip', () => {
  it('offers the newest version with the notes of every newer one', async () => {
    const { installId } = await installedOn();
    expect((await offer(installId)).body).toMatchObject({ held: false, skipped_version: null, available: null, newer: [] });
    await publish('1.1', 'Small fixes.');
    await publish('2.0', 'New storage format.');
    const r = await offer(installId);
    expect(r.body.available).toMatchObject({ version: '2.0', release_notes: 'New storage format.' });
    expect(r.body.newer.map((v: { version: string }) => v.version)).toEqual(['2.0', '1.1']);
  });

  it('a held install offers nothing and refuses an update until released', async () => {
    const { installId, agentToken } = await installedOn();
    await publish('2.0', 'New.');
    const held = await control(installId, { hold: true });
    expect(held.status).toBe(200);
    expect(held.body).toMatchObject({ held: true, available: null });
    expect((await plane.json('GET', `/api/installs/${installId}`, { token: owner.token })).body.install.update_held).toBe(true);
    const before = await deploymentCount(installId);
    const refused = await update(installId, '2.0');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/held at version 1\.0 by its owner/);
    expect(await deploymentCount(installId)).toBe(before);
    expect((await poll(agentToken)).status).toBe(204); // nothing queued

    expect((await control(installId, { hold: false })).body).toMatchObject({ held: false, available: { version: '2.0' } });
    expect((await update(installId, '2.0')).status).toBe(202);
  });

  it('a skipped version is not offered nor applied, and the next one is', async () => {
    const { installId } = await installedOn();
    await publish('2.0', 'Risky.');
    const skipped = await control(installId, { skip_version: '2.0' });
    expect(skipped.body).toMatchObject({ held: false, skipped_version: '2.0', available: null });
    expect((await update(installId, '2.0')).body.message).toMatch(/version 2\.0 is skipped by its owner/);
    // Without a version, an update picks the newest: still the skipped one, still refused.
    expect((await update(installId)).status).toBe(409);
    await publish('3.0', 'Safe again.');
    expect((await offer(installId)).body).toMatchObject({ skipped_version: '2.0', available: { version: '3.0', release_notes: 'Safe again.' } });
    expect((await control(installId, { skip_version: null })).body).toMatchObject({ skipped_version: null, available: { version: '3.0' } });
    expect((await update(installId, '2.0')).status).toBe(202);
  });

  it('bad input is refused with a message and changes nothing', async () => {
    const { installId } = await installedOn();
    await publish('2.0');
    const cases: Array<[unknown, RegExp]> = [
      [{}, /hold, skip_version or both/],
      [{ hold: 'yes' }, /hold/],
      [{ skip_version: '9.9' }, /'9\.9' is not a version of this app newer/],
      [{ skip_version: '1.0' }, /not a version of this app newer/],
      [{ skip_version: '' }, /skip_version/],
      [{ hold: true, pin: true }, /pin/],
    ];
    for (const [body, message] of cases) {
      const r = await control(installId, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.message).toMatch(message);
    }
    expect((await offer(installId)).body).toMatchObject({ held: false, skipped_version: null, available: { version: '2.0' } });
  });

  it("another owner's install is not found, and stays as it was", async () => {
    const { installId } = await installedOn();
    await publish('2.0');
    const intruder = await plane.user('owner');
    expect((await offer(installId, intruder.token)).status).toBe(404);
    expect((await control(installId, { hold: true }, intruder.token)).status).toBe(404);
    expect((await control(installId, { skip_version: '2.0' }, intruder.token)).status).toBe(404);
    expect((await offer(installId)).body).toMatchObject({ held: false, skipped_version: null });
    expect((await control(crypto.randomUUID(), { hold: true })).status).toBe(404);
  });
});

describe('fleet deployments respect the owner', () => {
  it('a batch update skips a held install and one that skips the version, with the reason, and still finishes', async () => {
    const held = await installedOn('a-held');
    const skipping = await installedOn('b-skips');
    const free = await installedOn('c-free');
    await publish('2.0');
    await control(held.installId, { hold: true });
    await control(skipping.installId, { skip_version: '2.0' });
    // Concurrency 1: a skipped item must not keep the free HDA waiting for a slot.
    const created = await plane.json('POST', '/api/batches', {
      token: owner.token,
      body: { app: 'hello', version: '2.0', hdas: [held.hdaId, skipping.hdaId, free.hdaId], concurrency: 1 },
    });
    expect(created.status).toBe(201);
    const item = (hdaId: string) => created.body.items.find((i: { hda_id: string }) => i.hda_id === hdaId);
    expect(item(held.hdaId)).toMatchObject({ state: 'skipped', detail: expect.stringMatching(/held at version 1\.0 by its owner/) });
    expect(item(skipping.hdaId)).toMatchObject({ state: 'skipped', detail: expect.stringMatching(/version 2\.0 is skipped by its owner/) });
    expect(item(free.hdaId).state).toBe('queued');
    expect((await poll(held.agentToken)).status).toBe(204); // nothing queued
    await report(free.agentToken, (await poll(free.agentToken)).body.tasks[0].id, 'succeeded');
    const done = await plane.json('GET', `/api/batches/${created.body.batch.id}`, { token: owner.token });
    expect(done.body.batch.state).toBe('succeeded');
    const versionOf = async (id: string) => (await plane.json('GET', `/api/installs/${id}`, { token: owner.token })).body.install.version;
    expect([await versionOf(held.installId), await versionOf(skipping.installId), await versionOf(free.installId)]).toEqual(['1.0', '1.0', '2.0']);
  });
});
