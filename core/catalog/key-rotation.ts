/**
 * Catalog key rotation. A new signing key is endorsed by the key it replaces: a JWS by the old key
 * over the new public key. An agent pinned to the old key accepts the new one only through such an
 * endorsement chain, so rotating keys never means trusting whatever the network serves.
 */
import type { JWK } from 'jose';
import { signCanonical, verifyCanonical } from './signing';
import { SignatureError } from './errors';

export const ENDORSEMENT_JWS_TYP = 'key-endorsement+jws';

export interface EndorsedKey {
  jwk: JWK;
  /** JWS by the previous key over the public JWK; absent for the first key. */
  endorsement?: string | null;
}

/** The public members of a JWK, the part an endorsement covers. */
export function publicPart(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk as JWK & Record<string, unknown>;
  return pub;
}

export function endorseKey(newPublicJwk: JWK, previousPrivateJwk: JWK): Promise<string> {
  if (!previousPrivateJwk.kid) throw new SignatureError('signature-kid', 'the previous key has no kid');
  return signCanonical(publicPart(newPublicJwk), previousPrivateJwk, previousPrivateJwk.kid, ENDORSEMENT_JWS_TYP);
}

/**
 * Extends `pinned` with every key of `offered` that a pinned key (or a key accepted earlier in the
 * chain) endorsed. Keys without a valid endorsement are left out.
 */
export async function extendPinnedKeys(pinned: { keys: JWK[] }, offered: EndorsedKey[]): Promise<{ keys: JWK[]; added: string[] }> {
  const keys = [...pinned.keys];
  const added: string[] = [];
  let grew = true;
  while (grew) {
    grew = false;
    for (const candidate of offered) {
      if (!candidate.jwk.kid || keys.some((k) => k.kid === candidate.jwk.kid) || !candidate.endorsement) continue;
      try {
        await verifyCanonical(publicPart(candidate.jwk), candidate.endorsement, { keys }, ENDORSEMENT_JWS_TYP, 'key endorsement');
      } catch {
        continue;
      }
      keys.push(publicPart(candidate.jwk));
      added.push(candidate.jwk.kid);
      grew = true;
    }
  }
  return { keys, added };
}
