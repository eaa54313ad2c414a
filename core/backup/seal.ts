/**
 * Sealed boxes: the browser encrypts an HDA's backup secrets (repository, its password, the backend's
 * credentials) to the agent's public key, so the control plane only ever stores and relays ciphertext.
 * ECDH P-256 with a fresh key per box, HKDF-SHA-256, AES-256-GCM: WebCrypto only, the same code in the
 * browser, on Workers and in the agent.
 */

const INFO = new TextEncoder().encode('hda-backup-seal-v1');

/** The public half of a P-256 key, as JWK (the schema that checks one is in ./schemas). */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

export const SEAL_ALG = 'ECDH-ES+HKDF-SHA256+A256GCM';
export interface SealedBox {
  alg: typeof SEAL_ALG;
  epk: PublicJwk;
  iv: string;
  ct: string;
}
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;

function toB64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}
function fromB64(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Only the curve point: a JWK as exported may carry fields importKey refuses for a public key. */
const publicPart = (jwk: JsonWebKey | PublicJwk): JsonWebKey => ({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });

async function boxKey(priv: CryptoKey, pub: CryptoKey, usage: KeyUsage): Promise<CryptoKey> {
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: pub }, priv, 256);
  const hkdf = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: INFO }, hkdf, { name: 'AES-GCM', length: 256 }, false, [
    usage,
  ]);
}

/** A new key pair whose public half others seal to (extractable so its holder can keep it). */
export async function newSealingKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ECDH, true, ['deriveBits']);
}

export async function exportPublicJwk(key: CryptoKey): Promise<PublicJwk> {
  const jwk = await crypto.subtle.exportKey('jwk', key);
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('not a P-256 key');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

/** Encrypts `plaintext` so only the holder of the private half of `recipient` can read it. */
export async function seal(recipient: PublicJwk, plaintext: string): Promise<SealedBox> {
  const pub = await crypto.subtle.importKey('jwk', publicPart(recipient), ECDH, false, []);
  const eph = await newSealingKeyPair();
  const key = await boxKey(eph.privateKey, pub, 'encrypt');
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(plaintext)));
  return { alg: SEAL_ALG, epk: await exportPublicJwk(eph.publicKey), iv: toB64(iv), ct: toB64(ct) };
}

/** Decrypts a box sealed to this private key; throws on a box sealed to another key or altered on the way. */
export async function open(privateKey: CryptoKey, box: SealedBox): Promise<string> {
  const parsed = box; // checked by SealedBoxSchema where it arrived (API body, agent payload)
  if (parsed?.alg !== SEAL_ALG) throw new Error(`not a sealed box (${SEAL_ALG})`);
  const epk = await crypto.subtle.importKey('jwk', publicPart(parsed.epk), ECDH, false, []);
  const key = await boxKey(privateKey, epk, 'decrypt');
  try {
    const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromB64(parsed.iv) }, key, fromB64(parsed.ct));
    return new TextDecoder().decode(pt);
  } catch {
    throw new Error('the sealed box cannot be opened with this HDA key (sealed to another key, or altered)');
  }
}
