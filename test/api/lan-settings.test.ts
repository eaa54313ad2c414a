/**
 * The owner's LAN settings through the API: stored on the HDA and handed to its agent as a
 * lan-settings task, refused with a sentence per bad field and no change, invisible across owners,
 * pending until the task finishes and the heartbeat reports them in force.
 */
import { sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestPlane, enrolledHda, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string };
let hda: { hdaId: string; agentToken: string };

const url = (id = hda.hdaId) => `/api/hdas/${id}/lan-settings`;
const get = (token = owner.token, id = hda.hdaId) => plane.json('GET', url(id), { token });
const put = (body: unknown, token = owner.token, id = hda.hdaId) => plane.json('PUT', url(id), { token, body });
const poll = () => plane.json('GET', '/agent/v1/tasks?wait=0', { token: hda.agentToken });
const ACME = { names: 'dnsmasq', https_redirect: true, certificates: 'acme', acme_email: 'owner@example.com', acme_directory: 'https://acme.example.com/dir' };

beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
  hda = await enrolledHda(plane, owner.token);
});

describe('LAN settings', () => {
  it('none chosen: the agent flags decide, nothing pending', async () => {
    const r = await get();
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ in_force: null, pending: false, task: null });
  });

  it('stores the settings and queues the task that applies them; pending until it succeeds, then in force from the heartbeat', async () => {
    const r = await put(ACME);
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ settings: ACME, pending: true, task: { state: 'queued' } });
    const task = (await poll()).body.tasks[0];
    expect(task).toMatchObject({ id: r.body.task.id, kind: 'lan-settings', install_id: null, payload: { lan: ACME } });
    expect((await get()).body).toMatchObject({ pending: true, task: { state: 'claimed' } });
    const as = { token: hda.agentToken };
    const done = await plane.json('POST', `/agent/v1/tasks/${task.id}/result`, { ...as, body: { state: 'succeeded', detail: 'names: dnsmasq' } });
    expect(done.status).toBe(200);
    const lan = { names: { mode: 'dnsmasq', address: '192.168.1.10' }, https: { port: 443, certificates: 'acme', redirect: true }, apps: [] };
    expect((await plane.json('POST', '/agent/v1/heartbeat', { ...as, body: { lan } })).status).toBe(200);
    const after = (await get()).body;
    expect(after).toMatchObject({ pending: false, task: { state: 'succeeded', detail: 'names: dnsmasq' } });
    expect(after.in_force).toEqual({ names: 'dnsmasq', certificates: 'acme', https_redirect: true, https_port: 443 });
  });

  it('a failed task says the step and the reason; the owner still sees what they chose', async () => {
    const r = await put({ names: 'off', https_redirect: false, certificates: 'ca' });
    const task = (await poll()).body.tasks[0];
    const body = { state: 'failed', detail: 'the new vhosts failed Apache config test', step: 'lan-settings' };
    expect((await plane.json('POST', `/agent/v1/tasks/${task.id}/result`, { token: hda.agentToken, body })).status).toBe(200);
    expect((await get()).body).toMatchObject({
      settings: { names: 'off', https_redirect: false, certificates: 'ca' },
      pending: false,
      task: { id: r.body.task.id, state: 'failed', detail: body.detail, failed_step: 'lan-settings' },
    });
  });

  it('refuses bad input with a sentence per bad field and changes nothing', async () => {
    const bad = await put({ names: 'carrier-pigeon', https_redirect: 'yes', certificates: 'acme', acme_directory: 'http://acme.example.com/dir' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/names/);
    expect(bad.body.message).toMatch(/https_redirect/);
    expect(bad.body.message).toMatch(/acme_directory.*https URL/);
    const noEmail = await put({ names: 'off', https_redirect: false, certificates: 'acme' });
    expect(noEmail.status).toBe(400);
    expect(noEmail.body.message).toMatch(/acme_email.*needed when certificates come from ACME/);
    const extra = await put({ names: 'off', https_redirect: false, certificates: 'ca', shell: 'rm -rf /' });
    expect(extra.status).toBe(400);
    expect((await get()).body).toEqual({ in_force: null, pending: false, task: null });
    const queued = await plane.deps.db.all(sql.raw(`SELECT id FROM tasks WHERE kind = 'lan-settings'`));
    expect(queued).toEqual([]);
  });

  it("another owner's HDA is not found, to read or to change; nothing is queued", async () => {
    const other = await plane.user('owner');
    expect((await get(other.token)).status).toBe(404);
    expect((await put(ACME, other.token)).status).toBe(404);
    expect((await put(ACME, other.token, crypto.randomUUID())).status).toBe(404);
    expect((await get()).body.settings).toBeUndefined();
    expect((await poll()).status).toBe(204);
  });

  it('the audit records the change without the ACME contact address', async () => {
    await put(ACME);
    const rows = await plane.deps.db.all<{ action: string; detail_json: string }>(
      sql.raw(`SELECT action, detail_json FROM audit_log WHERE action = 'hda.lan_settings'`),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].detail_json).toContain('"certificates":"acme"');
    expect(rows[0].detail_json).not.toContain('owner@example.com');
  });
});
