/**
 * Signed app versions. A version is signed as a compact JWS (ES256 or EdDSA) whose payload is the
 * canonical JSON of its AppVersionContent (sorted keys, no whitespace), header { alg, kid, typ }.
 * The payload is embedded, not detached: verifying checks the signature with the publisher key named by
 * `kid`, then that the payload equals the canonical JSON of the content the agent was given, so a
 * compose tampered in the database or in transit is refused even though the JWS itself is intact.
 * Web Crypto only (jose), so the same code runs on Workers and on the host.
 */
import { calculateJwkThumbprint, CompactSign, compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { AppVersionContent } from '../protocol';
import { SignatureError } from './errors';

export { SignatureError } from './errors';
export type SigningAlg = 'ES256' | 'EdDSA';
export const VERSION_JWS_TYP = 'app-version+jws';
const ALLOWED = new Set<string>(['ES256', 'EdDSA']);

/** JSON with object keys sorted at every level and no whitespace; the bytes that get signed. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SignatureError('canonical-json', `cannot sign the non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value as object)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  throw new SignatureError('canonical-json', `cannot sign a value of type ${typeof value}`);
}

function algOfJwk(jwk: JWK): SigningAlg | null {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return null;
}

function refuseAlg(alg: unknown): asserts alg is SigningAlg {
  if (typeof alg !== 'string' || !ALLOWED.has(alg)) {
    throw new SignatureError('signature-alg', `algorithm ${JSON.stringify(alg)} is refused; only ES256 and EdDSA are accepted`);
  }
}

export function signVersion(content: AppVersionContent, privateKey: CryptoKey | JWK, kid: string, alg?: SigningAlg): Promise<string> {
  return signCanonical(content, privateKey, kid, VERSION_JWS_TYP, alg);
}

export function verifyVersion(content: AppVersionContent, jws: string, jwks: { keys: JWK[] }): Promise<{ kid: string }> {
  return verifyCanonical(content, jws, jwks, VERSION_JWS_TYP, 'version');
}

/** Signs the canonical JSON of `value` as a compact JWS with the payload embedded. */
export async function signCanonical(value: unknown, privateKey: CryptoKey | JWK, kid: string, typ: string, alg?: SigningAlg): Promise<string> {
  if (!kid) throw new SignatureError('signature-kid', 'a signing key id (kid) is required');
  let key: CryptoKey | Uint8Array;
  let chosen: unknown = alg;
  if (isCryptoKey(privateKey)) {
    const name = privateKey.algorithm.name;
    chosen ??= name === 'ECDSA' ? 'ES256' : name === 'Ed25519' ? 'EdDSA' : name;
    refuseAlg(chosen);
    key = privateKey;
  } else {
    if (privateKey.kty === 'oct') throw new SignatureError('signature-alg', 'symmetric (HMAC) keys are refused for signing app versions');
    chosen ??= privateKey.alg ?? algOfJwk(privateKey);
    refuseAlg(chosen);
    if (algOfJwk(privateKey) !== chosen)
      throw new SignatureError('signature-alg', `the key (${privateKey.kty} ${privateKey.crv ?? ''}) does not fit ${chosen}`);
    key = (await importJWK(privateKey, chosen)) as CryptoKey;
  }
  const payload = new TextEncoder().encode(canonicalJson(value));
  return new CompactSign(payload).setProtectedHeader({ alg: chosen as SigningAlg, kid, typ }).sign(key);
}

/** Verifies a JWS made by signCanonical over exactly `value`, with a key from `jwks`. `what` names it in errors. */
export async function verifyCanonical(value: unknown, jws: string, jwks: { keys: JWK[] }, typ: string, what: string): Promise<{ kid: string }> {
  if (typeof jws !== 'string' || jws.split('.').length !== 3)
    throw new SignatureError('signature-malformed', `the ${what} signature is missing or not a compact JWS`);
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    throw new SignatureError('signature-malformed', `the ${what} signature has an unreadable header`);
  }
  refuseAlg(header.alg);
  if (header.typ !== typ) throw new SignatureError('signature-malformed', `the signature is not a ${what} signature (typ ${JSON.stringify(header.typ)})`);
  const kid = header.kid;
  const jwk = kid ? (jwks?.keys ?? []).find((k) => k.kid === kid) : undefined;
  if (!kid || !jwk)
    throw new SignatureError(
      'signature-unknown-key',
      `the ${what} is signed by key ${JSON.stringify(kid ?? null)}, which is not among the pinned publisher keys`,
    );
  if (algOfJwk(jwk) !== header.alg || (jwk.alg && jwk.alg !== header.alg)) {
    throw new SignatureError('signature-alg', `pinned key "${kid}" is not an ${header.alg} key`);
  }
  let payload: Uint8Array;
  try {
    const { d: _private, ...publicJwk } = jwk;
    const key = await importJWK(publicJwk, header.alg);
    payload = (await compactVerify(jws, key, { algorithms: [header.alg] })).payload;
  } catch {
    throw new SignatureError('signature-invalid', `the signature by key "${kid}" does not verify: the ${what} was altered or signed by someone else`);
  }
  if (new TextDecoder().decode(payload) !== canonicalJson(value)) {
    throw new SignatureError(
      'signature-content-mismatch',
      `the signature by key "${kid}" is valid but covers different content: the stored or delivered ${what} was altered`,
    );
  }
  return { kid };
}

export async function generateSigningKey(alg: SigningAlg = 'ES256'): Promise<{ kid: string; alg: SigningAlg; privateJwk: JWK; publicJwk: JWK }> {
  refuseAlg(alg);
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const pub = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(pub);
  return {
    kid,
    alg,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' },
    publicJwk: { ...pub, kid, alg, use: 'sig' },
  };
}

function isCryptoKey(k: unknown): k is CryptoKey {
  return typeof CryptoKey !== 'undefined' && k instanceof CryptoKey;
}
