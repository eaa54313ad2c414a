/** What the HDA routes answer: the HDA, what its agent reports, and enrollment codes. */
import { z } from '@hono/zod-openapi';
import { MaybeTime } from './common';

/** What an agent reports about its host; unknown facts an agent sends are kept as they came. */
export const HostFactsSchema = z
  .object({
    hostname: z.string().optional(),
    os: z.string().optional(),
    arch: z.string().optional(),
    cpu_model: z.string().optional(),
    cpus: z.number().optional(),
    memory_bytes: z.number().optional(),
    disk_free_bytes: z.number().optional(),
    docker_version: z.string().nullable().optional(),
    docker_api_version: z.string().nullable().optional(),
    compose_version: z.string().nullable().optional(),
    compose_flavor: z.enum(['v2', 'v1']).nullable().optional(),
    apache_version: z.string().nullable().optional(),
    agent_version: z.string().optional(),
  })
  .openapi('HostFacts');

export const APP_RUN_STATES = ['running', 'stopped', 'restarting', 'exited', 'missing', 'removed', 'unknown'] as const;

export const AppStatusSchema = z
  .strictObject({
    identifier: z.string(),
    state: z.enum(APP_RUN_STATES),
    health: z.string().nullable().optional(),
    cpu_percent: z.number().nullable().optional(),
    memory_bytes: z.number().nullable().optional(),
    live_port: z.number().int().optional(),
  })
  .openapi('AppStatus');

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
