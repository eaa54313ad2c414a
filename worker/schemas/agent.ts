/** What the agent protocol answers (requests: worker/routes/agent.ts; the types both sides import: core/protocol.ts). */
import { z } from '@hono/zod-openapi';
import { TASK_KINDS } from '../../core/protocol';
import { ScriptStepSchema, JwkSchema } from './catalog';
import { IsoTime } from './common';

export const EnrollResponseSchema = z
  .strictObject({
    hda_id: z.string(),
    token: z.string().openapi({ description: 'The agent token: `Authorization: Bearer <token>` on every later call' }),
    domain: z.string(),
    name: z.string(),
    keys: z.strictObject({ keys: z.array(JwkSchema) }).openapi({ description: 'The catalog keys the agent pins' }),
  })
  .openapi('EnrollResponse');

const VersionContent = z
  .strictObject({
    app: z.string(),
    version: z.string(),
    kind: z.string(),
    compose: z.string(),
    files: z.record(z.string(), z.string()),
    steps: z.array(ScriptStepSchema),
    uninstall_steps: z.array(ScriptStepSchema).optional(),
    secrets: z.array(z.string()).optional(),
  })
  .openapi('AppVersionContent');

const TaskInstall = z
  .strictObject({
    id: z.string(),
    identifier: z.string(),
    hostname: z.string(),
    host_port: z.number().int(),
    domain: z.string(),
    policy_exceptions: z.array(z.string()),
    limits: z.strictObject({ cpus: z.number().optional(), memory_mb: z.number().optional() }).optional(),
    env: z.record(z.string(), z.string()).optional(),
    port_fixed: z.boolean().optional(),
  })
  .openapi('TaskInstall');

const Signed = { signature: z.string().nullable().optional(), key_id: z.string().nullable().optional() };

const TaskPayload = z
  .strictObject({
    install: TaskInstall.optional(),
    version: VersionContent.optional(),
    ...Signed,
    purge: z.boolean().optional(),
    logs: z.strictObject({ tail: z.number().int(), follow_s: z.number().int().optional() }).optional(),
    prune: z.strictObject({ keep_images: z.array(z.string()) }).optional(),
    ports: z.strictObject({ held: z.array(z.number().int()), from: z.number().int(), to: z.number().int() }).optional(),
    reconfigure: z.strictObject({ change: z.enum(['limits', 'port']) }).optional(),
    previous: z.strictObject({ deployment_id: z.string(), version: VersionContent, ...Signed }).optional(),
  })
  .openapi('TaskPayload');

export const ClaimedTaskSchema = z
  .strictObject({
    id: z.string(),
    kind: z.enum(TASK_KINDS),
    hda_id: z.string(),
    install_id: z.string().nullable(),
    deployment_id: z.string().nullable(),
    attempts: z.number().int(),
    lease_until: IsoTime,
    payload: TaskPayload,
  })
  .openapi('ClaimedTask');

export const TasksResponseSchema = z.strictObject({ tasks: z.array(ClaimedTaskSchema) }).openapi('TasksResponse');

export const TaskEventsAckSchema = z
  .strictObject({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    last_seq: z.number().int().openapi({ description: 'The highest seq the server holds: the agent may forget every event up to it' }),
  })
  .openapi('TaskEventsAck');

export const TaskResultAckSchema = z
  .strictObject({ state: z.enum(['queued', 'claimed', 'succeeded', 'failed', 'cancelled']) })
  .openapi('TaskResultAck', { description: "The task's state as recorded (a re-sent result answers the first one's)" });

export const ReleasedSchema = z.strictObject({ released: z.boolean() }).openapi('Released');

export const HeartbeatResponseSchema = z.strictObject({ ok: z.literal(true), next_heartbeat_s: z.number().int() }).openapi('HeartbeatResponse');
