import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AppVersionContent } from '../../../core/protocol';
import { SignatureError } from '../../../core/catalog/errors';
import { canonicalJson, generateSigningKey, signVersion, verifyVersion, VERSION_JWS_TYP } from '../../../core/catalog/signing';
import { normalizeVersion } from '../../../core/catalog/normalize';
import { corpusApp, publishInput } from './corpus-data';

const content: AppVersionContent = normalizeVersion(publishInput(corpusApp('redmine'))).content;

async function expectRefused(p: Promise<unknown>, rule: string, msg?: RegExp) {
  const err = await p.then(
    () => null,
    (e) => e,
  );
  expect(err).toBeInstanceOf(SignatureError);
  expect((err as SignatureError).rule).toBe(rule);
  if (msg) expect((err as Error).message).toMatch(msg);
}

describe('canonicalJson', () => {
  it('sorts keys at every level, no whitespace, drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[2,{"y":null,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(() => canonicalJson({ n: NaN })).toThrow(SignatureError);
  });
});

describe('signVersion / verifyVersion', () => {
  it.each(['ES256', 'EdDSA'] as const)('%s: a signed version verifies with its public key', async (alg) => {
    const k = await generateSigningKey(alg);
    expect(k.privateJwk).toMatchObject({ kid: k.kid, alg });
    expect(k.publicJwk.d).toBeUndefined();
    const jws = await signVersion(content, k.privateJwk, k.kid, alg);
    expect(await verifyVersion(content, jws, { keys: [k.publicJwk] })).toEqual({ kid: k.kid });
    // Key order in the content object does not matter: the payload is canonical.
    const reordered = Object.fromEntries(Object.entries(content).reverse()) as unknown as AppVersionContent;
    expect(await verifyVersion(reordered, jws, { keys: [k.publicJwk] })).toEqual({ kid: k.kid });
  });

  it('signs with a CryptoKey as well as a JWK', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jws = await signVersion(content, privateKey, 'k1');
    await expect(verifyVersion(content, jws, { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] })).resolves.toEqual({ kid: 'k1' });
  });

  it('tampering with one byte of the compose makes verify throw', async () => {
    const k = await generateSigningKey();
    const jws = await signVersion(content, k.privateJwk, k.kid);
    const i = content.compose.indexOf('3000');
    expect(i).toBeGreaterThan(0);
    const tampered = { ...content, compose: `${content.compose.slice(0, i)}4${content.compose.slice(i + 1)}` };
    await expectRefused(verifyVersion(tampered, jws, { keys: [k.publicJwk] }), 'signature-content-mismatch', /altered/);
    await expectRefused(
      verifyVersion({ ...content, steps: [...content.steps, { kind: 'chmod', line: 99, text: 'chmod 777 .' }] }, jws, { keys: [k.publicJwk] }),
      'signature-content-mismatch',
    );
  });

  it('tampering with one byte of the JWS payload or signature makes verify throw', async () => {
    const k = await generateSigningKey();
    const jws = await signVersion(content, k.privateJwk, k.kid);
    const [h, p, s] = jws.split('.');
    const flip = (x: string, at: number) => x.slice(0, at) + (x[at] === 'A' ? 'B' : 'A') + x.slice(at + 1);
    await expectRefused(verifyVersion(content, `${h}.${flip(p, 20)}.${s}`, { keys: [k.publicJwk] }), 'signature-invalid');
    await expectRefused(verifyVersion(content, `${h}.${p}.${flip(s, 10)}`, { keys: [k.publicJwk] }), 'signature-invalid');
  });

  it('an unknown kid, or a key from another publisher under the same kid, is refused', async () => {
    const k = await generateSigningKey();
    const other = await generateSigningKey();
    const jws = await signVersion(content, k.privateJwk, k.kid);
    await expectRefused(verifyVersion(content, jws, { keys: [other.publicJwk] }), 'signature-unknown-key', new RegExp(k.kid));
    await expectRefused(verifyVersion(content, jws, { keys: [{ ...other.publicJwk, kid: k.kid }] }), 'signature-invalid');
    await expectRefused(verifyVersion(content, jws, { keys: [] }), 'signature-unknown-key');
  });

  it('alg none and HMAC are refused, signing and verifying', async () => {
    const k = await generateSigningKey();
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', kid: k.kid, typ: VERSION_JWS_TYP })}.${Buffer.from(canonicalJson(content)).toString('base64url')}.`;
    await expectRefused(verifyVersion(content, none, { keys: [k.publicJwk] }), 'signature-alg', /refused/);

    const secret = new TextEncoder().encode('x'.repeat(32));
    const hs = await new CompactSign(new TextEncoder().encode(canonicalJson(content)))
      .setProtectedHeader({ alg: 'HS256', kid: 'h', typ: VERSION_JWS_TYP })
      .sign(secret);
    const octJwk: JWK = { kty: 'oct', k: Buffer.from(secret).toString('base64url'), kid: 'h' };
    await expectRefused(verifyVersion(content, hs, { keys: [octJwk] }), 'signature-alg');
    await expectRefused(signVersion(content, octJwk, 'h'), 'signature-alg', /HMAC/);
    await expectRefused(signVersion(content, k.privateJwk, k.kid, 'none' as never), 'signature-alg');
    await expectRefused(signVersion(content, k.privateJwk, k.kid, 'HS256' as never), 'signature-alg');
  });

  it('key rotation: a version signed by the old key still verifies while its public key is in the JWKS', async () => {
    const old = await generateSigningKey('ES256');
    const current = await generateSigningKey('EdDSA');
    const oldJws = await signVersion(content, old.privateJwk, old.kid);
    const newJws = await signVersion(content, current.privateJwk, current.kid);
    const jwks = { keys: [current.publicJwk, old.publicJwk] };
    expect(await verifyVersion(content, oldJws, jwks)).toEqual({ kid: old.kid });
    expect(await verifyVersion(content, newJws, jwks)).toEqual({ kid: current.kid });
    await expectRefused(verifyVersion(content, oldJws, { keys: [current.publicJwk] }), 'signature-unknown-key');
  });

  it('a malformed signature says so', async () => {
    await expectRefused(verifyVersion(content, 'not-a-jws', { keys: [] }), 'signature-malformed');
    await expectRefused(verifyVersion(content, '!!!.x.y', { keys: [] }), 'signature-malformed');
  });
});
