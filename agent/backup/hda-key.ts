/**
 * The HDA's sealing key: an ECDH P-256 key pair made on first use and kept in the state dir (0600).
 * Its public half goes to the control plane with the heartbeat; the browser seals backup secrets to it.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportPublicJwk, newSealingKeyPair, type PublicJwk } from '../../core/backup/seal';
import { writeJsonAtomic } from '../fs-atomic';

export interface HdaKey {
  privateKey: CryptoKey;
  publicJwk: PublicJwk;
}

const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;

export async function loadOrCreateHdaKey(stateDir: string): Promise<HdaKey> {
  const file = join(stateDir, 'backup', 'hda-key.json');
  mkdirSync(join(stateDir, 'backup'), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) {
    const pair = await newSealingKeyPair();
    writeJsonAtomic(file, await crypto.subtle.exportKey('jwk', pair.privateKey), 0o600);
  }
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as JsonWebKey;
  const privateKey = await crypto.subtle.importKey('jwk', jwk, ECDH, true, ['deriveBits']);
  return { privateKey, publicJwk: await exportPublicJwk(await crypto.subtle.importKey('jwk', { ...jwk, d: undefined, key_ops: [] }, ECDH, true, [])) };
}
