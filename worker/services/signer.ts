/**
 * The catalog's signing key. The private half comes from a secret (CATALOG_SIGNING_KEY, a JWK), never
 * from the database, so a tampered database row cannot be re-signed; every public half ever used is
 * kept in `signing_keys` and served as the JWKS agents pin.
 */
import { eq } from 'drizzle-orm';
import type { JWK } from 'jose';
import { endorseKey } from '../../core/catalog/key-rotation';
import { signVersion } from '../../core/catalog/signing';
import type { AppVersionContent } from '../../core/protocol';
import { signingKeys } from '../../db/schema';
import type { Database } from '../db';

export interface CatalogSigner {
  kid: string;
  alg: 'ES256' | 'EdDSA';
  publicJwk: JWK;
  sign(content: AppVersionContent): Promise<string>;
  /** After a rotation: the key this one replaces endorses it (CATALOG_SIGNING_KEY_PREVIOUS). */
  endorsement(): Promise<string | null>;
}

/** Builds a signer from a private JWK carrying `kid` and `alg` (as written by `generateSigningKey`). */
export function createSigner(privateJwk: JWK, previousPrivateJwk?: JWK): CatalogSigner {
  const kid = privateJwk.kid;
  if (!kid) throw new Error('CATALOG_SIGNING_KEY must carry a kid');
  const alg = (privateJwk.alg ?? (privateJwk.crv === 'Ed25519' ? 'EdDSA' : 'ES256')) as 'ES256' | 'EdDSA';
  if (alg !== 'ES256' && alg !== 'EdDSA') throw new Error(`unsupported signing algorithm ${alg}`);
  const { d: _private, ...publicJwk } = privateJwk;
  return {
    kid,
    alg,
    publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
    sign: (content) => signVersion(content, privateJwk, kid, alg),
    endorsement: async () => (previousPrivateJwk ? endorseKey({ ...publicJwk, kid, alg, use: 'sig' }, previousPrivateJwk) : null),
  };
}

/** Records the signer's public key (once) so the JWKS lists it. */
export async function registerSigningKey(db: Database, signer: CatalogSigner, now: number): Promise<void> {
  const existing = await db.select({ kid: signingKeys.kid }).from(signingKeys).where(eq(signingKeys.kid, signer.kid)).limit(1);
  if (existing.length > 0) return;
  await db
    .insert(signingKeys)
    .values({ kid: signer.kid, alg: signer.alg, publicJwk: JSON.stringify(signer.publicJwk), endorsement: await signer.endorsement(), createdAt: now })
    .onConflictDoNothing();
}

/** The JWKS plus, per key, the endorsement by the key before it (agents extend their pins with these). */
export async function loadEndorsedJwks(db: Database): Promise<{ keys: JWK[]; endorsements: Record<string, string> }> {
  const rows = await db.select().from(signingKeys).orderBy(signingKeys.createdAt);
  const endorsements: Record<string, string> = {};
  for (const r of rows) if (r.endorsement) endorsements[r.kid] = r.endorsement;
  return { keys: rows.map((r) => JSON.parse(r.publicJwk) as JWK), endorsements };
}

export async function loadJwks(db: Database): Promise<{ keys: JWK[] }> {
  const rows = await db.select({ publicJwk: signingKeys.publicJwk }).from(signingKeys).orderBy(signingKeys.createdAt);
  return { keys: rows.map((r) => JSON.parse(r.publicJwk) as JWK) };
}
