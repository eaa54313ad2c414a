/** What the install routes answer: installs, their deployments, and the operations on them. */
import { z } from '@hono/zod-openapi';
import { DEPLOYMENT_ACTIONS, DEPLOYMENT_STATUSES, INSTALL_STATES } from '../../db/schema';
import { MaybeTime, QueuedTask } from './common';
import { FindingSchema } from './catalog';
import { LanAppHealthSchema } from '../../core/protocol';
import { AppStatusSchema, HdaSchema, LanViewSchema } from './hdas';

const AppRef = z.strictObject({ slug: z.string(), name: z.string() }).openapi('AppRef');

export const InstallSchema = z
  .strictObject({
    id: z.string(),
    hda_id: z.string(),
    identifier: z.string(),
    hostname: z.string(),
    url: z.string(),
    host_port: z.number().int(),
    state: z.enum(INSTALL_STATES),
    desired_state: z.enum(['running', 'stopped', 'removed']),
    version_id: z.string(),
    current_deployment_id: z.string().nullable(),
    policy_exceptions: z.array(z.string()),
    limits: z.record(z.string(), z.number()),
    overrides: z.record(z.string(), z.unknown()),
    created_at: MaybeTime,
    updated_at: MaybeTime,
    app: AppRef.optional(),
    version: z.string().optional(),
    runtime: AppStatusSchema.nullable().optional(),
  })
  .openapi('Install', { description: 'An install; lists and details add the app, the version and what the agent last reported' });

export const DeploymentSchema = z
  .strictObject({
    id: z.string(),
    task_id: z.string().nullable().optional(),
    created_by_email: z.string().nullable().optional(),
    install_id: z.string(),
    version_id: z.string(),
    version: z.string().optional(),
    action: z.enum(DEPLOYMENT_ACTIONS),
    status: z.enum(DEPLOYMENT_STATUSES),
    rollback_of: z.string().nullable(),
    detail: z.string().nullable(),
    rendered_compose: z.string().nullable(),
    images: z.record(z.string(), z.string()).nullable(),
    created_by: z.string(),
    created_at: MaybeTime,
    finished_at: MaybeTime,
  })
  .openapi('Deployment');

export const InstallListItemSchema = InstallSchema.extend({ hda: z.strictObject({ id: z.string(), name: z.string() }) }).openapi('InstallListItem');
export const InstallsSchema = z.strictObject({ installs: z.array(InstallListItemSchema) }).openapi('Installs');

export const NewInstallResultSchema = z.strictObject({ install: InstallSchema, deployment: DeploymentSchema, task: QueuedTask }).openapi('NewInstallResult');
export const DeploymentTaskSchema = z.strictObject({ deployment: DeploymentSchema, task: QueuedTask }).openapi('DeploymentTask');

export const PublishedPortSchema = z
  .strictObject({ service: z.string(), host: z.string(), container: z.string(), protocol: z.string() })
  .openapi('PublishedPort');

export const InstallDetailSchema = z
  .strictObject({
    install: InstallSchema,
    hda: z.strictObject({
      id: z.string(),
      name: z.string(),
      domain: z.string(),
      facts: z.strictObject({ cpus: z.number().optional(), memory_bytes: z.number().optional() }).nullable(),
    }),
    policy_recheck: z.strictObject({ refused: z.array(FindingSchema) }),
    /** Host ports the version publishes on purpose besides its web port (which only Apache reaches). */
    published_ports: z.array(PublishedPortSchema),
    /** The app's name and certificate as the agent last reported them; null before any report. */
    lan: LanAppHealthSchema.nullable(),
  })
  .openapi('InstallDetail');

export const DeploymentsSchema = z.strictObject({ deployments: z.array(DeploymentSchema) }).openapi('Deployments');

export const LogsTaskSchema = z.strictObject({ task: QueuedTask }).openapi('LogsTask');
export const PruneTaskSchema = z.strictObject({ task: QueuedTask, keep_images: z.array(z.string()) }).openapi('PruneTask');

export const MetricsSchema = z
  .strictObject({
    resolution: z.enum(['5m', '1h']),
    points: z.array(
      z.strictObject({
        at: z.iso.datetime(),
        cpu_avg: z.number(),
        cpu_max: z.number(),
        memory_avg: z.number(),
        memory_max: z.number(),
        samples: z.number().int(),
      }),
    ),
  })
  .openapi('Metrics');

/** GET /api/hdas/{id}: declared here because it lists the HDA's installs. */
export const HdaDetailSchema = z.strictObject({ hda: HdaSchema, installs: z.array(InstallSchema), lan: LanViewSchema.nullable() }).openapi('HdaDetail');
