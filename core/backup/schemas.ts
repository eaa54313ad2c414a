/** The zod schemas of sealed boxes and public keys (kept apart so the browser bundle carries no zod). */
import { z } from 'zod';
import { SEAL_ALG } from './seal';

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

export const PublicJwkSchema = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a P-256 coordinate'),
  y: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a P-256 coordinate'),
  ext: z.boolean().optional(),
  key_ops: z.array(z.string().max(20)).max(4).optional(),
});

export const SealedBoxSchema = z.strictObject({
  alg: z.literal(SEAL_ALG),
  epk: PublicJwkSchema,
  iv: z.string().length(16).regex(B64, 'must be base64'),
  ct: z
    .string()
    .min(24)
    .max(64 * 1024)
    .regex(B64, 'must be base64'),
});
