/**
 * Replacing a dead HDA through the API: the new HDA (enrolled, backups set up with the recovery key)
 * takes the old one's installs as they were, each queued with its data to come from the off-HDA
 * backup; the old HDA's token stops working. Refusals say why and change nothing; owners stay apart.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { exportPublicJwk, newSealingKeyPair, seal } from '../../core/backup/seal';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string };
let old: { hdaId: string; agentToken: string };
let fresh: { hdaId: string; agentToken: string };

const poll = (token: string) => plane.json('GET', '/agent/v1/tasks?wait=0', { token });
const finish = (token: string, id: string) => plane.json('POST', `/agent/v1/tasks/${id}/result`, { token, body: { state: 'succeeded', detail: 'done' } });
const replace = (body: unknown, token = owner.token, id = fresh.hdaId) => plane.json('POST', `/api/hdas/${id}/replace`, { token, body });
const installsOf = async (hdaId: string) => (await plane.json('GET', `/api/hdas/${hdaId}`, { token: owner.token })).body.installs;

async function withBackups(hda: { hdaId: string; agentToken: string }) {
  const key = await exportPublicJwk((await newSealingKeyPair()).publicKey);
  await plane.json('POST', '/agent/v1/heartbeat', { token: hda.agentToken, body: { backup_key: key } });
  const sealed = await seal(key, JSON.stringify({ repository: 'rest:http://192.0.2.1/r', password: 'a long repository password' }));
  await plane.json('PUT', `/api/hdas/${hda.hdaId}/backup`, {
    token: owner.token,
    body: { repository_label: 'office', every_hours: 24, retention: { daily: 7 }, sealed },
  });
  await finish(hda.agentToken, (await poll(hda.agentToken)).body.tasks[0].id);
}

beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
  await publishApp(plane, 'hello');
  await publishApp(plane, 'notes');
  old = await enrolledHda(plane, owner.token, 'old', 'home.example.com');
  for (const app of ['hello', 'notes']) {
    await plane.json('POST', `/api/hdas/${old.hdaId}/installs`, { token: owner.token, body: { app } });
    await finish(old.agentToken, (await poll(old.agentToken)).body.tasks[0].id);
  }
  fresh = await enrolledHda(plane, owner.token, 'new', 'home.example.com');
});

describe('replacing a dead HDA', () => {
  it('moves every install as it was, queues each with its data from the backup, and revokes the old HDA', async () => {
    const before = await installsOf(old.hdaId);
    await plane.json('PUT', `/api/installs/${before[0].id}/updates`, { token: owner.token, body: { hold: true } });
    await withBackups(fresh);
    const r = await replace({ old_hda: old.hdaId });
    expect(r.status).toBe(202);
    expect(r.body.installs.map((i: { identifier: string }) => i.identifier).sort()).toEqual(['hello', 'notes']);

    const after = await installsOf(fresh.hdaId);
    const keep = (i: Record<string, unknown>) => [i.id, i.identifier, i.hostname, i.host_port, i.version_id, i.update_held];
    expect(after.map(keep)).toEqual(before.map(keep).map((k: unknown[], n: number) => (n === 0 ? [...k.slice(0, 5), true] : k)));
    expect(await installsOf(old.hdaId)).toEqual([]);

    const tasks = (await poll(fresh.agentToken)).body.tasks;
    expect(tasks).toHaveLength(1); // one at a time on the HDA's main lane
    expect(tasks[0]).toMatchObject({ kind: 'install', payload: { restore_offsite: { host: old.hdaId }, install: { port_fixed: true } } });
    expect((await poll(old.agentToken)).status).toBe(401);
    expect((await plane.json('GET', `/api/hdas/${old.hdaId}`, { token: owner.token })).body.hda.status).toBe('revoked');
  });

  it('refuses with the reason and changes nothing', async () => {
    const before = await installsOf(old.hdaId);
    const noBackup = await replace({ old_hda: old.hdaId });
    expect(noBackup.status).toBe(409);
    expect(noBackup.body.message).toMatch(/set up new's off-HDA backup with the recovery key first/);
    await withBackups(fresh);
    expect((await replace({ old_hda: fresh.hdaId })).body.message).toMatch(/cannot replace itself/);
    expect((await replace({ old_hda: 'not-an-id' })).status).toBe(400);
    expect((await replace({})).status).toBe(400);
    const elsewhere = await enrolledHda(plane, owner.token, 'cabin', 'cabin.example.com');
    const otherDomain = await replace({ old_hda: elsewhere.hdaId });
    expect(otherDomain.status).toBe(409);
    expect(otherDomain.body.message).toMatch(/hostnames would change/);
    expect(await installsOf(old.hdaId)).toEqual(before);
    expect((await poll(old.agentToken)).status).not.toBe(401);
  });

  it("another owner's HDAs are not found, and nothing moves", async () => {
    await withBackups(fresh);
    const intruder = await plane.user('owner');
    const theirs = await enrolledHda(plane, intruder.token, 'theirs', 'home.example.com');
    expect((await replace({ old_hda: old.hdaId }, intruder.token, theirs.hdaId)).status).toBe(404);
    expect((await replace({ old_hda: theirs.hdaId })).status).toBe(404);
    expect((await installsOf(old.hdaId)).length).toBe(2);
  });
});
