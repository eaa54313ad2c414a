/** What the HDA routes answer: the HDA, what its agent reports, and enrollment codes. */
import { z } from '@hono/zod-openapi';
import { HostFactsSchema, LanHealthSchema } from '../../core/protocol';
import { MaybeTime } from './common';

export { AppStatusSchema, HostFactsSchema } from '../../core/protocol';

export const HdaSchema = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    domain: z.string(),
    tags: z.array(z.string()),
    status: z.enum(['revoked', 'pending', 'online', 'offline']),
    online: z.boolean(),
    enrolled_at: MaybeTime,
    enrollment_expires_at: MaybeTime,
    revoked_at: MaybeTime,
    last_seen_at: MaybeTime,
    channel: z.enum(['open', 'closed']).openapi({ description: 'Whether its agent holds the HDA channel open (rung when work is queued) or only polls' }),
    hostname: z.string().nullable(),
    facts: HostFactsSchema.nullable(),
  })
  .openapi('Hda');

export const EnrollmentSchema = z
  .strictObject({
    code: z.string(),
    expires_at: MaybeTime,
    server_url: z.string(),
    command: z.string().openapi({ description: 'The one command that installs the agent on the HDA and enrolls it' }),
    warning: z.string().optional(),
  })
  .openapi('Enrollment');

export const HdasSchema = z.strictObject({ hdas: z.array(HdaSchema) }).openapi('Hdas');
export const NewHdaResultSchema = z.strictObject({ hda: HdaSchema, enrollment_code: z.string(), enrollment: EnrollmentSchema }).openapi('NewHdaResult');
export const NewEnrollmentSchema = z.strictObject({ enrollment_code: z.string(), enrollment: EnrollmentSchema, hda_id: z.string() }).openapi('NewEnrollment');
export const DeletedHdaSchema = z.strictObject({ ok: z.literal(true), installs_removed: z.number().int() }).openapi('DeletedHda');

/** An HDA's names and HTTPS as the owner sees them: the CA certificate is a download link, not inline. */
const LanHttpsViewSchema = LanHealthSchema.shape.https.unwrap().omit({ ca_pem: true }).extend({ ca_download: z.string().nullable() });
export const LanViewSchema = LanHealthSchema.extend({ https: LanHttpsViewSchema.nullable() }).openapi('LanView');
