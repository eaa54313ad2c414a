/** The install page lists data snapshots and offers restore and rollback with data behind a warning dialog. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../../helpers/plane';

let plane: TestPlane;
let owner: { token: string };
let installId = '';
let firstDeployment = '';
const snapId = 'ab'.repeat(32);

const page = (path: string) => plane.request('GET', path, { headers: { cookie: `hda_session=${owner.token}` } });
const poll = async (agentToken: string) => (await plane.json('GET', '/agent/v1/tasks?wait=0', { token: agentToken })).body?.tasks?.[0];

beforeAll(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
  const { token } = await publishApp(plane, 'hello', { version: '1.0' });
  await publishApp(plane, 'hello', { version: '2.0', token });
  const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
  installId = (await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello', version: '1.0' } })).body.install.id;
  const t1 = await poll(agentToken);
  firstDeployment = t1.deployment_id;
  await plane.json('POST', `/agent/v1/tasks/${t1.id}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'ok' } });
  plane.clock.advance(60_000);
  await plane.json('POST', `/api/installs/${installId}/actions`, { token: owner.token, body: { action: 'update', version: '2.0' } });
  const t2 = await poll(agentToken);
  const snap = {
    id: snapId,
    reason: 'update',
    taken_at: new Date(plane.clock.now).toISOString(),
    size_bytes: 5 * 1024 * 1024,
    added_bytes: 2048,
    downtime_ms: 1500,
    files: 4,
    volumes: [],
  };
  await plane.json('POST', `/agent/v1/tasks/${t2.id}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'ok', snapshots: [snap] } });
});

describe('install page: data snapshots', () => {
  it('lists each snapshot with why, size, added bytes and downtime, and a restore behind a confirmation', async () => {
    const html = await (await page(`/installs/${installId}`)).text();
    expect(html).toContain('Data snapshots');
    const row = html.slice(html.indexOf(`data-snapshot-id="${snapId}"`));
    expect(row).toMatch(/Before an update[\s\S]*5\.0 MB[\s\S]*2\.0 KB[\s\S]*1\.5 s/);
    expect(html).toMatch(new RegExp(`data-click="restore-snapshot"[^>]*data-snapshot="${snapId}"`));
    expect(html).toContain('data-click="take-snapshot"');
    expect(html).toContain('id="restore-dialog"');
    expect(html).toMatch(/Everything the app wrote since then is lost/);
  });

  it('offers the first deployment "with its data as of then", the snapshot taken before the update that followed it', async () => {
    const html = await (await page(`/installs/${installId}`)).text();
    expect(html).toMatch(new RegExp(`data-click="rollback-with-data"[^>]*data-deployment="${firstDeployment}"`));
    expect(html).toContain('id="rollback-data-dialog"');
    expect(html.match(/data-click="rollback-with-data"/g)).toHaveLength(1);
  });
});
