/**
 * The install page's off-HDA backup card rendered through the real app: the plan the install follows,
 * its own schedule, and the warning when it is left out.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../../helpers/plane';

let plane: TestPlane;
let owner: { token: string };
let installId: string;

const page = async () => (await plane.request('GET', `/installs/${installId}`, { headers: { cookie: `hda_session=${owner.token}` } })).text();
const put = (body: unknown) => plane.json('PUT', `/api/installs/${installId}/backup`, { token: owner.token, body });

beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
  await publishApp(plane, 'hello');
  const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
  installId = (await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } })).body.install.id;
  const task = (await plane.json('GET', '/agent/v1/tasks?wait=0', { token: agentToken })).body.tasks[0];
  await plane.json('POST', `/agent/v1/tasks/${task.id}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'installed' } });
});

describe('install page: off-HDA backup card', () => {
  it("follows the HDA's plan by default, and says so while the HDA has none", async () => {
    const html = await page();
    expect(html).toContain('data-install-backup="plan"');
    expect(html).toContain('Follows the HDA&#39;s plan, once the HDA has one');
    expect(html).toContain('data-form="install-backup"');
    expect(html).not.toContain('data-install-backup="excluded-warning"');
  });

  it('shows its own schedule and retention', async () => {
    expect((await put({ mode: 'own', every_hours: 6, retention: { daily: 3, monthly: 2 } })).status).toBe(200);
    const html = await page();
    expect(html).toContain('data-install-backup="own"');
    expect(html).toContain('Its own schedule: every 6 h, keeps 3 daily, 2 monthly.');
    expect(html).toMatch(/name="retention" value="3\/0\/2\/0"/);
  });

  it('left out: says it is not backed up and warns that a replacement HDA brings it back empty', async () => {
    expect((await put({ mode: 'excluded' })).status).toBe(200);
    const html = await page();
    expect(html).toContain('Not backed up off the HDA.');
    expect(html).toMatch(
      /data-install-backup="excluded-warning">\s*This app has no copy off the HDA\. If the HDA dies and is replaced, the app comes back on the new HDA with empty data\./,
    );
  });
});
