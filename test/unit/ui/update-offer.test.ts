/**
 * The install page's update block rendered through the real app: "update available" with each newer
 * version's release notes (escaped), the snapshot promise, and the hold and skip controls as the API
 * reports them.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestPlane, enrolledHda, publishApp, SIMPLE_COMPOSE, type TestPlane } from '../../helpers/plane';

let plane: TestPlane;
let owner: { token: string };
let publisher: string;
let installId: string;

const page = async (path: string) => (await plane.request('GET', path, { headers: { cookie: `hda_session=${owner.token}` } })).text();
const publish = (version: string, release_notes: string) =>
  plane.json('POST', '/api/catalog/apps/hello/versions', { token: publisher, body: { version, kind: 'container', compose: SIMPLE_COMPOSE, release_notes } });

beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
  publisher = (await publishApp(plane, 'hello')).token;
  const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
  installId = (await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } })).body.install.id;
  const task = (await plane.json('GET', '/agent/v1/tasks?wait=0', { token: agentToken })).body.tasks[0];
  await plane.json('POST', `/agent/v1/tasks/${task.id}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'installed' } });
});

describe('install page: update available', () => {
  it('says the app is current while nothing newer is published', async () => {
    const html = await page(`/installs/${installId}`);
    expect(html).toContain('data-update-offer="current"');
    expect(html).toContain('Version 1.0 is the newest offered.');
    expect(html).not.toContain('data-snapshot-promise');
  });

  it('shows the newest version with the notes escaped, the snapshot promise, and skip and hold', async () => {
    await publish('1.1', 'Faster start.');
    await publish('2.0', 'Breaking: <script>alert(1)</script>\nnew storage');
    const html = await page(`/installs/${installId}`);
    expect(html).toContain('data-update-offer="available"');
    expect(html).toContain('Update available: version 2.0');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;\nnew storage');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('Faster start.');
    expect(html).toMatch(/data-snapshot-promise="1">\s*Your app(&#39;|')s data is snapshotted before the update starts/);
    expect(html).toContain('data-click="update-to"');
    expect(html).toMatch(/data-skip="2.0"[^>]*>Skip 2.0</);
    expect(html).toMatch(/data-hold="true"[^>]*>Hold at 1.0</);
  });

  it('a held install says so and offers only the release; a skipped version is marked and can be offered again', async () => {
    await publish('2.0', 'New.');
    await plane.json('PUT', `/api/installs/${installId}/updates`, { token: owner.token, body: { hold: true } });
    let html = await page(`/installs/${installId}`);
    expect(html).toContain('data-update-offer="held"');
    expect(html).toContain('Held at version 1.0.');
    expect(html).toMatch(/data-hold="false"[^>]*>Release the hold</);
    expect(html).not.toContain('data-click="update-to"');

    await plane.json('PUT', `/api/installs/${installId}/updates`, { token: owner.token, body: { hold: false, skip_version: '2.0' } });
    html = await page(`/installs/${installId}`);
    expect(html).toContain('data-update-offer="current"');
    expect(html).toMatch(/<strong>2.0<\/strong>.*<span class="tag">skipped<\/span>/s);
    expect(html).toMatch(/data-skip=""[^>]*>Offer 2.0 again</);
  });
});
