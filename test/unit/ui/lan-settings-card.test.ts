/**
 * The HDA page's names and HTTPS card rendered through the real app: what to point the router at, each
 * app's certificate expiry, and the settings form saying whether the owner's choice is in force,
 * pending or failed (with the reason).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestPlane, enrolledHda, type TestPlane } from '../../helpers/plane';

let plane: TestPlane;
let owner: { token: string };
let hda: { hdaId: string; agentToken: string };

const page = async () => (await plane.request('GET', `/hdas/${hda.hdaId}`, { headers: { cookie: `hda_session=${owner.token}` } })).text();
const beat = (body: unknown) => plane.json('POST', '/agent/v1/heartbeat', { token: hda.agentToken, body });
const poll = () => plane.json('GET', '/agent/v1/tasks?wait=0', { token: hda.agentToken });
const lan = (redirect: boolean) => ({
  names: { mode: 'dnsmasq', address: '192.168.1.10' },
  https: { port: 443, certificates: 'ca', redirect },
  apps: [{ identifier: 'hello', name: 'hello.home.example.com', resolves: true, cert_not_after: '2027-06-01T00:00:00.000Z' }],
});

beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
  hda = await enrolledHda(plane, owner.token);
});

describe('HDA page: names and HTTPS settings', () => {
  it('shows the router address, each app certificate expiry, and the form with what is in force', async () => {
    await beat({ lan: lan(false) });
    const html = await page();
    expect(html).toMatch(/data-lan-router[^>]*>192\.168\.1\.10</);
    expect(html).toContain('data-lan-app="hello"');
    expect(html).toContain('certificate valid until');
    expect(html).toContain('data-form="lan-settings"');
    expect(html).toContain('data-lan-settings="flags"');
    expect(html).toContain('Apps answer over plain HTTP too.');
  });

  it('a change is pending until its task succeeds, then in force; a failed one says why', async () => {
    await beat({ lan: lan(false) });
    const put = await plane.json('PUT', `/api/hdas/${hda.hdaId}/lan-settings`, {
      token: owner.token,
      body: { names: 'dnsmasq', https_redirect: true, certificates: 'ca' },
    });
    expect(put.status).toBe(202);
    expect(await page()).toContain('data-lan-settings="pending"');
    const task = (await poll()).body.tasks[0];
    await plane.json('POST', `/agent/v1/tasks/${task.id}/result`, { token: hda.agentToken, body: { state: 'succeeded', detail: 'applied' } });
    await beat({ lan: lan(true) });
    let html = await page();
    expect(html).toContain('data-lan-settings="in-force"');
    expect(html).toContain('Plain HTTP redirects to HTTPS.');
    await plane.json('PUT', `/api/hdas/${hda.hdaId}/lan-settings`, {
      token: owner.token,
      body: { names: 'dnsmasq', https_redirect: true, certificates: 'acme', acme_email: 'me@example.com' },
    });
    const failing = (await poll()).body.tasks[0];
    const reason = 'the certificates could not be switched, so the previous settings stay in force: hello: the ACME order failed <b>';
    await plane.json('POST', `/agent/v1/tasks/${failing.id}/result`, {
      token: hda.agentToken,
      body: { state: 'failed', detail: reason, step: 'lan-settings' },
    });
    html = await page();
    expect(html).toContain('data-lan-settings="failed"');
    expect(html).toContain('(step lan-settings)');
    expect(html).toContain('the ACME order failed &lt;b&gt;');
    expect(html).not.toContain('failed <b>');
  });
});
