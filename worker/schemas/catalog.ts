/** What the catalog answers: apps, versions with their findings, previews and the signing keys. */
import { z } from '@hono/zod-openapi';
import { COMPOSE_DIALECTS } from '../../core/compose/dialect';
import { ScriptStepSchema } from '../../core/protocol';
import { APP_CATEGORIES, VERSION_STATUSES } from '../../db/schema';
import { MaybeTime } from './common';

export const FindingSchema = z
  .strictObject({
    severity: z.enum(['error', 'review', 'warning', 'info']),
    rule: z.string(),
    message: z.string(),
    service: z.string().optional(),
    line: z.number().int().optional(),
    text: z.string().optional(),
    allowed_by_exception: z.boolean().optional(),
  })
  .openapi('Finding');

export const AppSchema = z
  .strictObject({
    slug: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    homepage: z.string().nullable(),
    category: z.enum(APP_CATEGORIES).nullable(),
    icon_url: z.string().nullable(),
    created_at: MaybeTime,
  })
  .openapi('App');

export const VersionSchema = z
  .strictObject({
    id: z.string(),
    version: z.string(),
    kind: z.string(),
    status: z.enum(VERSION_STATUSES),
    findings: z.array(FindingSchema),
    created_at: MaybeTime,
    key_id: z.string().nullable(),
    normalized_compose: z.string().optional(),
    files: z.record(z.string(), z.string()).optional(),
    steps: z.array(ScriptStepSchema).optional(),
    install_script: z.string().nullable().optional(),
    uninstall_script: z.string().nullable().optional(),
    compose: z.string().nullable().optional(),
    signature: z.string().nullable().optional(),
  })
  .openapi('AppVersion', { description: 'A published version; the detail views add its content, scripts and signature' });

export const AppsSchema = z.strictObject({ apps: z.array(AppSchema) }).openapi('Apps');
export const AppDetailSchema = z.strictObject({ app: AppSchema, versions: z.array(VersionSchema) }).openapi('AppDetail');
export const CreatedAppSchema = z.strictObject({ app: AppSchema }).openapi('CreatedApp');
export const PublishedVersionSchema = z.strictObject({ version: VersionSchema }).openapi('PublishedVersion');

const DialectVerdict = z.strictObject({ ok: z.boolean(), reasons: z.array(z.string()).optional() });

export const VersionPreviewSchema = z
  .strictObject({
    status: z.enum(['ready', 'needs_review', 'rejected']),
    normalized_compose: z.string(),
    files: z.record(z.string(), z.string()),
    steps: z.array(ScriptStepSchema),
    secrets: z.array(z.string()),
    findings: z.array(FindingSchema),
    dialects: z.record(z.enum(COMPOSE_DIALECTS), DialectVerdict).nullable(),
  })
  .openapi('VersionPreview');

/** A public key as JWK: the fields an Ed25519 or ECDSA key has, and any others the key carries. */
export const JwkSchema = z
  .looseObject({ kty: z.string().optional(), kid: z.string().optional(), alg: z.string().optional(), crv: z.string().optional(), x: z.string().optional() })
  .openapi('Jwk');

export const JwksSchema = z
  .strictObject({
    keys: z.array(JwkSchema),
    /** kid → a JWS by the key before it over the new key, so a pinned key can trust its successor. */
    endorsements: z.record(z.string(), z.string()),
  })
  .openapi('Jwks');
