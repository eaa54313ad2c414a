/**
 * Catalog key rotation, agent side: when a version is signed by a key that is not pinned, fetch the
 * catalog's keys and pin a new one only if a pinned key endorsed it (core/catalog/key-rotation.ts).
 * What the network serves is never trusted by itself.
 */
import type { JWK } from 'jose';
import { extendPinnedKeys } from '../core/catalog/key-rotation';
import type { StateDir } from './state';

interface ServedKeys {
  keys?: JWK[];
  endorsements?: Record<string, string>;
}

/** Returns the kids newly pinned (none when nothing new is endorsed). */
export async function refreshPinnedKeys(server: string, state: StateDir, fetchImpl: typeof fetch = fetch): Promise<string[]> {
  const res = await fetchImpl(new URL('/api/catalog/keys', server), { signal: AbortSignal.timeout(15_000) });
  if (!res.ok) throw new Error(`GET /api/catalog/keys: HTTP ${res.status}`);
  const served = (await res.json()) as ServedKeys;
  const offered = (served.keys ?? []).map((jwk) => ({ jwk, endorsement: jwk.kid ? (served.endorsements?.[jwk.kid] ?? null) : null }));
  const { keys, added } = await extendPinnedKeys(state.pinnedKeys() as { keys: JWK[] }, offered);
  if (added.length) state.savePinnedKeys({ keys: keys as Array<Record<string, unknown>> });
  return added;
}
