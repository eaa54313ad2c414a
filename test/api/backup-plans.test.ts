/**
 * The off-HDA backup plan through the API: the control plane stores and relays the secrets only as the
 * box the browser sealed to the agent's key (never the password in any table), refuses bad input with a
 * message and no change, keeps owners apart, and shows the health the agent reports.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { BackupSecrets } from '../../core/backup/plan';
import { exportPublicJwk, newSealingKeyPair, open, seal, type PublicJwk } from '../../core/backup/seal';
import { createTestPlane, enrolledHda, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string };
let hda: { hdaId: string; agentToken: string };
let agentKey: CryptoKeyPair;
let publicJwk: PublicJwk;
const SECRETS: BackupSecrets = { repository: 'rest:http://192.0.2.7:8000/home', password: 'the repository password 1234', env: {} };

const beat = (body: unknown) => plane.json('POST', '/agent/v1/heartbeat', { token: hda.agentToken, body });
const get = (token = owner.token, id = hda.hdaId) => plane.json('GET', `/api/hdas/${id}/backup`, { token });
const put = (body: unknown, token = owner.token) => plane.json('PUT', `/api/hdas/${hda.hdaId}/backup`, { token, body });
const poll = () => plane.json('GET', '/agent/v1/tasks?wait=0', { token: hda.agentToken });
const plan = async (secrets = SECRETS) => ({
  repository_label: 'REST server at the office',
  every_hours: 24,
  retention: { daily: 7, weekly: 4, monthly: 6 },
  sealed: await seal(publicJwk, JSON.stringify(secrets)),
});

beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
  hda = await enrolledHda(plane, owner.token);
  agentKey = await newSealingKeyPair();
  publicJwk = await exportPublicJwk(agentKey.publicKey);
});

describe('backup plan', () => {
  it('waits for the key the agent publishes with its heartbeat', async () => {
    const early = await put(await plan());
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/has not sent its backup key yet/);
    expect((await beat({ backup_key: publicJwk })).status).toBe(200);
    expect((await get()).body).toEqual({ key: publicJwk, plan: null, health: null });
  });

  it('stores only the sealed box, hands it to the agent, which alone opens it', async () => {
    await beat({ backup_key: publicJwk });
    const body = await plan();
    const r = await put(body);
    expect(r.status).toBe(202);
    expect(r.body.plan).toEqual({ repository_label: 'REST server at the office', every_hours: 24, retention: body.retention, updated_at: expect.any(String) });
    expect(JSON.stringify(r.body)).not.toContain(body.sealed.ct);
    const task = (await poll()).body.tasks[0];
    expect(task).toMatchObject({ kind: 'backup-config', install_id: null, payload: { backup: body } });
    expect(JSON.parse(await open(agentKey.privateKey, task.payload.backup.sealed))).toEqual(SECRETS);
    // Nowhere in the database: not the password, not the repository's address.
    for (const table of ['hdas', 'tasks', 'audit_log', 'task_events']) {
      const rows = await plane.deps.db.all(sql.raw(`SELECT * FROM ${table}`));
      expect(JSON.stringify(rows)).not.toContain(SECRETS.password);
      expect(JSON.stringify(rows)).not.toContain('192.0.2.7');
    }
  });

  it('bad input is refused with a message and changes nothing', async () => {
    await beat({ backup_key: publicJwk });
    const good = await plan();
    const cases: Array<[unknown, RegExp]> = [
      [{ ...good, password: SECRETS.password }, /password/],
      [{ ...good, retention: { daily: 0 } }, /must keep something/],
      [{ ...good, retention: {} }, /must keep something/],
      [{ ...good, every_hours: 0 }, /every_hours/],
      [{ ...good, repository_label: '' }, /repository_label/],
      [{ ...good, sealed: { ...good.sealed, ct: 'not base64!' } }, /ct/],
      [{ ...good, sealed: { ...good.sealed, epk: { kty: 'RSA' } } }, /kty must be one of: EC/],
      [{ ...good, sealed: { ...good.sealed, epk: publicJwk } }, /not sealed with a fresh key/],
    ];
    for (const [body, message] of cases) {
      const r = await put(body);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.body.message).toMatch(message);
    }
    expect((await get()).body.plan).toBeNull();
    expect((await poll()).status).toBe(204);
  });

  it("another owner's HDA is not found, and nothing is queued for it", async () => {
    await beat({ backup_key: publicJwk });
    const intruder = await plane.user('owner');
    expect((await get(intruder.token)).status).toBe(404);
    expect((await put(await plan(), intruder.token)).status).toBe(404);
    expect((await plane.json('POST', `/api/hdas/${hda.hdaId}/backup/run`, { token: intruder.token })).status).toBe(404);
    expect((await poll()).status).toBe(204);
  });

  it('back up now needs a plan, then queues a backup-run task', async () => {
    await beat({ backup_key: publicJwk });
    const none = await plane.json('POST', `/api/hdas/${hda.hdaId}/backup/run`, { token: owner.token });
    expect(none.status).toBe(409);
    expect(none.body.message).toMatch(/no off-HDA backup is set up/);
    await put(await plan());
    const config = (await poll()).body.tasks[0];
    await plane.json('POST', `/agent/v1/tasks/${config.id}/result`, { token: hda.agentToken, body: { state: 'succeeded', detail: 'set up' } });
    const r = await plane.json('POST', `/api/hdas/${hda.hdaId}/backup/run`, { token: owner.token });
    expect(r.status).toBe(202);
    expect((await poll()).body.tasks[0]).toMatchObject({ kind: 'backup-run', install_id: null });
  });

  it('shows the health the agent reports; a malformed report is refused', async () => {
    const health = {
      repository: 'REST server at the office',
      every_hours: 24,
      last_success_at: '2026-11-21T12:00:00.000Z',
      last_error: null,
      next_run_at: '2026-11-22T12:00:00.000Z',
      repository_size: 123456,
      snapshots: 3,
    };
    expect((await beat({ backup_key: publicJwk, backup: health })).status).toBe(200);
    expect((await get()).body.health).toEqual(health);
    expect((await beat({ backup: { ...health, repository_size: -1 } })).status).toBe(400);
    expect((await get()).body.health).toEqual(health);
  });
});
