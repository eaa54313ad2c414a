/**
 * Names and certificates through the heartbeat: stored when they change, shown on the HDA and the
 * install, the CA certificate downloadable by its owner only, and a heartbeat that would carry
 * anything but a certificate refused.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string; id: string };
beforeEach(async () => {
  plane = await createTestPlane();
  owner = await plane.user('owner');
});

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2FmZQ==\n-----END CERTIFICATE-----\n';
const lan = (over: Record<string, unknown> = {}) => ({
  names: { mode: 'dnsmasq', address: '192.168.1.10', problem: 'dnsmasq is not running (no /run/dnsmasq/dnsmasq.pid)' },
  https: { port: 443, ca_pem: PEM, ca_fingerprint: 'AB:CD', ca_valid_to: '2036-11-29T00:00:00.000Z' },
  apps: [
    {
      identifier: 'hello',
      name: 'hello.home.example.com',
      resolves: false,
      name_problem: 'hello.home.example.com does not resolve at 192.168.1.10: ECONNREFUSED',
    },
  ],
  ...over,
});

describe('names and certificates from the heartbeat', () => {
  it('the HDA shows what to point the router at and each problem; the CA certificate is a download of its own', async () => {
    const hda = await enrolledHda(plane, owner.token);
    const beat = await plane.json('POST', '/agent/v1/heartbeat', { token: hda.agentToken, body: { lan: lan() } });
    expect(beat.status).toBe(200);
    const detail = (await plane.json('GET', `/api/hdas/${hda.hdaId}`, { token: owner.token })).body;
    expect(detail.lan.names).toEqual(lan().names);
    expect(detail.lan.https).toEqual({
      port: 443,
      ca_fingerprint: 'AB:CD',
      ca_valid_to: '2036-11-29T00:00:00.000Z',
      ca_download: `/api/hdas/${hda.hdaId}/ca.crt`,
    });
    expect(JSON.stringify(detail)).not.toContain('BEGIN CERTIFICATE');
    const ca = await plane.request('GET', `/api/hdas/${hda.hdaId}/ca.crt`, { token: owner.token });
    expect(ca.status).toBe(200);
    expect(ca.headers.get('content-type')).toBe('application/x-pem-file');
    expect(ca.headers.get('content-disposition')).toBe('attachment; filename="home-ca.crt"');
    expect(await ca.text()).toBe(PEM);
    // The page's download link is followed by the browser with its session cookie.
    expect((await plane.request('GET', `/api/hdas/${hda.hdaId}/ca.crt`, { headers: { cookie: `hda_session=${owner.token}` } })).status).toBe(200);
    const page = await (await plane.request('GET', `/hdas/${hda.hdaId}`, { headers: { cookie: `hda_session=${owner.token}` } })).text();
    expect(page).toContain('<strong data-lan-router="true">192.168.1.10</strong>');
    expect(page).toContain('Download the CA certificate');
    expect(page).toContain('dnsmasq is not running');
  });

  it('an HDA on ACME says where its certificates come from and offers no CA to trust', async () => {
    const hda = await enrolledHda(plane, owner.token);
    const https = { port: 443, certificates: 'acme', ca_pem: PEM, ca_fingerprint: 'AB:CD', ca_valid_to: '2036-11-29T00:00:00.000Z' };
    expect((await plane.json('POST', '/agent/v1/heartbeat', { token: hda.agentToken, body: { lan: lan({ https }) } })).status).toBe(200);
    expect((await plane.json('GET', `/api/hdas/${hda.hdaId}`, { token: owner.token })).body.lan.https.certificates).toBe('acme');
    const page = await (await plane.request('GET', `/hdas/${hda.hdaId}`, { headers: { cookie: `hda_session=${owner.token}` } })).text();
    expect(page).toContain('data-lan-acme');
    expect(page).not.toContain('Download the CA certificate');
    expect(page).not.toContain('Trust it on your devices');
  });

  it("an HDA on mDNS says its names are <app>.local, with each name's publication state", async () => {
    const hda = await enrolledHda(plane, owner.token);
    const names = { mode: 'mdns', address: '192.168.1.10' };
    const apps = [
      {
        identifier: 'hello',
        name: 'hello.local',
        resolves: false,
        mdns_state: 'collision',
        name_problem: 'another device on the network already answers for hello.local',
      },
    ];
    expect((await plane.json('POST', '/agent/v1/heartbeat', { token: hda.agentToken, body: { lan: lan({ names, apps }) } })).status).toBe(200);
    const detail = (await plane.json('GET', `/api/hdas/${hda.hdaId}`, { token: owner.token })).body;
    expect(detail.lan.names).toEqual(names);
    expect(detail.lan.apps[0]).toMatchObject({ name: 'hello.local', mdns_state: 'collision' });
    const page = await (await plane.request('GET', `/hdas/${hda.hdaId}`, { headers: { cookie: `hda_session=${owner.token}` } })).text();
    expect(page).toContain('mDNS (<code>&lt;app&gt;.local</code>)');
    expect(page).not.toContain("served by this HDA's dnsmasq");
    const bad = lan({ apps: [{ ...apps[0], mdns_state: 'renamed' }] });
    expect((await plane.json('POST', '/agent/v1/heartbeat', { token: hda.agentToken, body: { lan: bad } })).status).toBe(400);
  });

  it('another owner gets 404 for the CA certificate; an HDA that reported none gets 404', async () => {
    const hda = await enrolledHda(plane, owner.token);
    await plane.json('POST', '/agent/v1/heartbeat', { token: hda.agentToken, body: { lan: lan() } });
    const other = await plane.user('owner');
    expect((await plane.request('GET', `/api/hdas/${hda.hdaId}/ca.crt`, { token: other.token })).status).toBe(404);
    const quiet = await enrolledHda(plane, owner.token, 'quiet');
    expect((await plane.request('GET', `/api/hdas/${quiet.hdaId}/ca.crt`, { token: owner.token })).status).toBe(404);
  });

  it('a heartbeat whose CA field is not just a certificate is refused and stores nothing', async () => {
    const hda = await enrolledHda(plane, owner.token);
    const key = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n';
    const r = await plane.json('POST', '/agent/v1/heartbeat', { token: hda.agentToken, body: { lan: lan({ https: { port: 443, ca_pem: key } }) } });
    expect(r.status).toBe(400);
    expect((await plane.json('GET', `/api/hdas/${hda.hdaId}`, { token: owner.token })).body.lan).toBeNull();
  });

  it("the install shows its name's and certificate's health", async () => {
    await publishApp(plane, 'hello');
    const hda = await enrolledHda(plane, owner.token);
    const created = await plane.json('POST', `/api/hdas/${hda.hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
    await plane.json('POST', '/agent/v1/heartbeat', { token: hda.agentToken, body: { lan: lan() } });
    const detail = (await plane.json('GET', `/api/installs/${created.body.install.id}`, { token: owner.token })).body;
    expect(detail.lan).toEqual(lan().apps[0]);
    const page = await (await plane.request('GET', `/installs/${created.body.install.id}`, { headers: { cookie: `hda_session=${owner.token}` } })).text();
    expect(page).toContain('does not resolve at 192.168.1.10');
  });
});
