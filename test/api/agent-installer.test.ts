import { describe, expect, it } from 'vitest';
import { installCommand, installScript, loopbackProblem, publicUrlProblem } from '../../worker/services/agent-installer';
import { createTestPlane } from '../helpers/plane';

describe('the way onto a new HDA', () => {
  it('shows a command for the configured public address, with no loopback warning', async () => {
    const plane = await createTestPlane({ publicUrl: 'https://cp.example.com' });
    const token = await plane.login('admin@example.com', 'admin-password-1');
    const res = await plane.json('POST', '/api/hdas', { token, body: { name: 'second', domain: 'home.example.com' } });
    expect(res.status).toBe(201);
    expect(res.body.enrollment.command).toBe(`curl -fsSL https://cp.example.com/agent/v1/install.sh | sudo sh -s -- --code ${res.body.enrollment_code}`);
    expect(res.body.enrollment.warning).toBeUndefined();
  });

  it('warns when the only address known is the loopback', async () => {
    const plane = await createTestPlane();
    const token = await plane.login('admin@example.com', 'admin-password-1');
    const res = await plane.json('POST', '/api/hdas', { token, body: { name: 'second', domain: 'home.example.com' }, headers: { host: '127.0.0.1:8787' } });
    expect(res.body.enrollment.warning).toMatch(/loopback.*PUBLIC_URL/);
  });

  it('serves the install script with the bundle digest, and names why when the bundle is missing', async () => {
    const plane = await createTestPlane();
    plane.deps.agentBundle = { load: async () => ({ body: new Uint8Array([1, 2, 3]), sha256: 'ab'.repeat(32) }) };
    const script = await plane.request('GET', '/agent/v1/install.sh');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/shellscript/);
    expect(await script.text()).toContain(`BUNDLE_SHA256='${'ab'.repeat(32)}'`);
    const bundle = await plane.request('GET', '/agent/v1/hda-agent.mjs');
    expect(bundle.headers.get('x-content-sha256')).toBe('ab'.repeat(32));
    expect(new Uint8Array(await bundle.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    plane.deps.agentBundle = { load: async () => ({ unavailable: 'the agent bundle is not ready (dist/hda-agent.mjs is not built)' }) };
    const missing = await plane.json('GET', '/agent/v1/install.sh');
    expect(missing.status).toBe(503);
    expect(missing.body.message).toMatch(/not built/);
  });

  it('writes only a plain http(s) address into the script', () => {
    for (const bad of ["https://x.example.com/'; rm -rf /", 'https://x.example.com/$(id)', 'ftp://x.example.com', 'https://x.example.com/a b']) {
      expect(() => installScript(bad, 'ab'.repeat(32))).toThrow(/cannot be written/);
      expect(publicUrlProblem(bad)).toMatch(/http\(s\) address/);
    }
    expect(() => installScript('https://x.example.com', 'not-a-digest')).toThrow(/SHA-256/);
    expect(publicUrlProblem('https://cp.example.com:8443/hda/')).toBeNull();
    expect(loopbackProblem('http://localhost:8787')).toMatch(/loopback/);
    expect(loopbackProblem('https://cp.example.com')).toBeNull();
    expect(installCommand('https://cp.example.com', 'AAAAA-BBBBB')).toBe(
      'curl -fsSL https://cp.example.com/agent/v1/install.sh | sudo sh -s -- --code AAAAA-BBBBB',
    );
  });
});
