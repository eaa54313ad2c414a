/**
 * Rotating the catalog signing key: versions signed before stay installable, and an agent pinned to
 * the old key learns the new one only through the old key's endorsement.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { extendPinnedKeys } from '../../core/catalog/key-rotation';
import { generateSigningKey, verifyVersion } from '../../core/catalog/signing';
import { createControlPlane } from '../../worker/node-server';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

async function plane(dbUrl: string) {
  const { app } = await createControlPlane({ dbUrl, adminEmail: 'admin@example.com', adminPassword: 'admin-password-1' });
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await app.request(`http://localhost${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as any;
  };
  const { token } = await call('POST', '/api/auth/login', { email: 'admin@example.com', password: 'admin-password-1' });
  return { call, token };
}

const compose = (tag: string) => `services:\n  web:\n    image: example/hello:${tag}\n    ports: ["HOST_PORT:80"]\n`;

describe('catalog key rotation', () => {
  it('keeps old versions verifiable and endorses the new key with the old one', async () => {
    const dbUrl = `file:${join(mkdtempSync(join(tmpdir(), 'rotation-')), 'cp.db')}`;
    process.env.JWT_SECRET = 'rotation-test-secret-rotation-test-secret';
    const oldKey = await generateSigningKey('ES256');
    const newKey = await generateSigningKey('EdDSA');

    process.env.CATALOG_SIGNING_KEY = JSON.stringify(oldKey.privateJwk);
    const before = await plane(dbUrl);
    await before.call('POST', '/api/catalog/apps', { slug: 'hello', name: 'Hello' }, before.token);
    await before.call('POST', '/api/catalog/apps/hello/versions', { version: '1', kind: 'container', compose: compose('1') }, before.token);
    const pinned = { keys: (await before.call('GET', '/api/catalog/keys')).keys };
    expect(pinned.keys.map((k: { kid: string }) => k.kid)).toEqual([oldKey.kid]);

    process.env.CATALOG_SIGNING_KEY = JSON.stringify(newKey.privateJwk);
    process.env.CATALOG_SIGNING_KEY_PREVIOUS = JSON.stringify(oldKey.privateJwk);
    const after = await plane(dbUrl);
    await after.call('POST', '/api/catalog/apps/hello/versions', { version: '2', kind: 'container', compose: compose('2') }, after.token);
    const served = await after.call('GET', '/api/catalog/keys');
    expect(served.keys.map((k: { kid: string }) => k.kid)).toEqual([oldKey.kid, newKey.kid]);
    expect(served.endorsements[newKey.kid]).toBeTypeOf('string');

    const detail = await after.call('GET', '/api/catalog/apps/hello');
    const content = (v: any) => ({ app: 'hello', version: v.version, kind: v.kind, compose: v.normalized_compose, files: v.files, steps: v.steps });
    const [v2, v1] = detail.versions;
    // The agent pinned only the old key: v1 verifies, v2 does not until the endorsement extends the pins.
    await expect(verifyVersion(content(v1), v1.signature, pinned)).resolves.toEqual({ kid: oldKey.kid });
    await expect(verifyVersion(content(v2), v2.signature, pinned)).rejects.toThrow(/not among the pinned/);
    const offered = served.keys.map((jwk: any) => ({ jwk, endorsement: served.endorsements[jwk.kid] }));
    const extended = await extendPinnedKeys(pinned, offered);
    expect(extended.added).toEqual([newKey.kid]);
    await expect(verifyVersion(content(v2), v2.signature, extended)).resolves.toEqual({ kid: newKey.kid });

    // A key slipped into the served set without a valid endorsement is not pinned.
    const rogue = await generateSigningKey('ES256');
    const forged = await extendPinnedKeys(pinned, [{ jwk: rogue.publicJwk, endorsement: served.endorsements[newKey.kid] }, { jwk: rogue.publicJwk }]);
    expect(forged.added).toEqual([]);
  });
});
