/**
 * The HDA page's backup card rendered through the real app: waits for the agent's key, then offers the
 * form carrying that key (the browser seals to it); shows the health the agent reports, with the last
 * error in words; never anything but the label of the repository.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { exportPublicJwk, newSealingKeyPair, seal, type PublicJwk } from '../../../core/backup/seal';
import { createTestPlane, enrolledHda, type TestPlane } from '../../helpers/plane';

let plane: TestPlane;
let owner: { token: string };
let hda: { hdaId: string; agentToken: string };
let key: PublicJwk;

const page = async () => (await plane.request('GET', `/hdas/${hda.hdaId}`, { headers: { cookie: `hda_session=${owner.token}` } })).text();
const beat = (body: unknown) => plane.json('POST', '/agent/v1/heartbeat', { token: hda.agentToken, body });

beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
  hda = await enrolledHda(plane, owner.token);
  key = await exportPublicJwk((await newSealingKeyPair()).publicKey);
});

describe('HDA page: backups off the HDA', () => {
  it('waits for the key, then offers the form sealed to it', async () => {
    await beat({});
    expect(await page()).toContain('has not sent its backup key yet');
    await beat({ backup_key: key });
    const html = await page();
    expect(html).toContain('data-form="backup-plan"');
    expect(html).toContain(`&quot;x&quot;:&quot;${key.x}&quot;`);
    expect(html).toContain('No off-HDA backup yet.');
  });

  it('shows the plan and the health, with the last error in words', async () => {
    await beat({ backup_key: key });
    const sealed = await seal(key, JSON.stringify({ repository: 'rest:http://192.0.2.9/x', password: 'a long repository password' }));
    await plane.json('PUT', `/api/hdas/${hda.hdaId}/backup`, {
      token: owner.token,
      body: { repository_label: 'Office <NAS>', every_hours: 12, retention: { daily: 7, weekly: 4, monthly: 6 }, sealed },
    });
    await beat({
      backup_key: key,
      backup: {
        repository: 'Office <NAS>',
        every_hours: 12,
        last_success_at: '2026-11-21T10:00:00.000Z',
        last_error: { at: '2026-11-21T11:00:00.000Z', message: 'snapshot: restic repository Office <NAS> is unreachable' },
        next_run_at: '2026-11-21T12:00:00.000Z',
        repository_size: 5 * 1024 * 1024,
        snapshots: 4,
      },
    });
    const html = await page();
    expect(html).toContain('Office &lt;NAS&gt;');
    expect(html).toContain('every 12 h; keeps 7 daily, 4 weekly, 6 monthly');
    expect(html).toContain('5.0 MB');
    expect(html).toMatch(/data-backup="last-error">The last backup failed \([^)]*\): snapshot: restic repository Office &lt;NAS&gt; is unreachable/);
    expect(html).toContain('data-click="backup-run"');
    expect(html).not.toContain('192.0.2.9');
  });

  it('an empty HDA of the same domain offers to replace another, once its backups are set up', async () => {
    const other = await enrolledHda(plane, owner.token, 'cabin', 'cabin.example.com');
    const dead = await enrolledHda(plane, owner.token, 'old <box>', 'home.example.com');
    await beat({ backup_key: key });
    let html = await page();
    expect(html).toContain('data-form="replace-hda"');
    expect(html).toContain(`<option value="${dead.hdaId}">old &lt;box&gt;</option>`);
    expect(html).not.toContain(`value="${other.hdaId}"`);
    expect(html).toMatch(/First set up this HDA(&#39;|')s backups with the dead HDA(&#39;|')s recovery key/);
    expect(html).toMatch(/<select name="old_hda" disabled/);
    expect(html).toContain('name="recovery_key"');
    const sealed = await seal(key, JSON.stringify({ repository: 'rest:http://192.0.2.9/x', password: 'a long repository password' }));
    await plane.json('PUT', `/api/hdas/${hda.hdaId}/backup`, {
      token: owner.token,
      body: { repository_label: 'office', every_hours: 24, retention: { daily: 7 }, sealed },
    });
    html = await page();
    expect(html).toMatch(/<select name="old_hda">/);
    expect(html).not.toContain('First set up this HDA');
  });
});
