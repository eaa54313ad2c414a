/** On Workers the agent bundle is a static asset; the install script carries its SHA-256. */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

describe('the way onto a new HDA, on Workers', () => {
  it('serves the install script with the digest of the bundle asset it points at', async () => {
    const bundle = await (env as { ASSETS: Fetcher }).ASSETS.fetch('https://assets.invalid/agent/v1/hda-agent.mjs');
    expect(bundle.status).toBe(200);
    const bytes = new Uint8Array(await bundle.arrayBuffer());
    const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const script = await SELF.fetch('https://cp.example.com/agent/v1/install.sh');
    expect(script.status).toBe(200);
    const text = await script.text();
    expect(text).toContain(`BUNDLE_SHA256='${digest}'`);
    expect(text).toContain("SERVER='https://cp.example.com'");
  });
});
