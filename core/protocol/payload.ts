/**
 * What a claimed task carries, by kind: everything the agent needs, no second round trip. Kinds that
 * act on one install carry it; HDA-wide kinds (prune, backups) do not, and reading it there is a type error.
 */
import { z } from 'zod';
import { InstallBackups } from '../backup/install-backup';
import { BackupPlanInput } from '../backup/plan';
import type { TaskKind } from './kinds';
import { LanSettingsSchema } from './lan-settings';
import { AppVersionContentSchema } from './version';

export const ResourceLimitsSchema = z.object({
  /** CPU cores, e.g. 0.5. */
  cpus: z.number().optional(),
  memory_mb: z.number().optional(),
});
export type ResourceLimits = z.infer<typeof ResourceLimitsSchema>;

/** What the agent needs to move an automatically given port off a taken one. */
export const PortHintsSchema = z.object({
  /** Ports other installs of this HDA hold on the control plane: never chosen. */
  held: z.array(z.number().int()),
  from: z.number().int(),
  to: z.number().int(),
});
export type PortHints = z.infer<typeof PortHintsSchema>;

export const TaskInstallInfoSchema = z.object({
  id: z.string(),
  identifier: z.string(),
  hostname: z.string(),
  host_port: z.number().int(),
  domain: z.string(),
  /** Policy rules the owner explicitly allowed for this install (e.g. "docker-socket"). */
  policy_exceptions: z.array(z.string()),
  /** Owner-set resource limits the agent writes into every service of the compose it runs. */
  limits: ResourceLimitsSchema.optional(),
  /** Environment values added to every service (e.g. per-HDA overrides of a fleet deployment). */
  env: z.record(z.string(), z.string()).optional(),
  /** The owner chose host_port: the agent never moves it, it fails when the port is taken. */
  port_fixed: z.boolean().optional(),
});
export type TaskInstallInfo = z.infer<typeof TaskInstallInfoSchema>;

/** Per-install values the control plane keeps beside the install and sends in its TaskInstallInfo. */
export const InstallOverridesSchema = TaskInstallInfoSchema.pick({ env: true, port_fixed: true });
export type InstallOverrides = z.infer<typeof InstallOverridesSchema>;

/** The version a task converges to, and its signature (JWS) and the id of the key that made it. */
const SignedVersion = {
  version: AppVersionContentSchema,
  signature: z.string().nullable().optional(),
  key_id: z.string().nullable().optional(),
};

/** Every task on an install carries it, and the version it runs (start/stop/restart act on what runs). */
const OnInstall = z.object({
  install: TaskInstallInfoSchema,
  version: AppVersionContentSchema.optional(),
  signature: z.string().nullable().optional(),
  key_id: z.string().nullable().optional(),
});

/** install/reconfigure: the range a taken automatic port may move within, and the ports to avoid. */
const Ports = { ports: PortHintsSchema.optional() };

/** update/rollback: the deployment to return to automatically if the new one does not come up. */
export const PreviousDeploymentSchema = z.object({ deployment_id: z.string(), ...SignedVersion });
export type PreviousDeployment = z.infer<typeof PreviousDeploymentSchema>;

export const InstallPayloadSchema = OnInstall.extend({
  ...SignedVersion,
  ...Ports,
  /** On a replacement HDA: put the app's data back from the old HDA's latest off-HDA snapshot first. */
  restore_offsite: z.object({ host: z.string().max(64) }).optional(),
});
/** restore, rollback with data: the snapshot (restic id) whose data is put back. */
const RestoreSnapshot = { restore_snapshot: z.object({ id: z.string().regex(/^[0-9a-f]{64}$/) }).optional() };

export const UpdatePayloadSchema = OnInstall.extend({ ...SignedVersion, previous: PreviousDeploymentSchema.optional(), ...RestoreSnapshot });
export const UninstallPayloadSchema = OnInstall.extend({
  /** Also delete the app folder. */
  purge: z.boolean().optional(),
});
export const LifecyclePayloadSchema = OnInstall;
export const LogsPayloadSchema = OnInstall.extend({
  /** How many lines of each container to send, and for how long to follow new ones. */
  logs: z.object({ tail: z.number().int(), follow_s: z.number().int().optional() }),
});
export const ReconfigurePayloadSchema = OnInstall.extend({
  ...SignedVersion,
  ...Ports,
  /** What changes (recorded as the deployment's action). */
  reconfigure: z.object({ change: z.enum(['limits', 'port']) }),
});
export const RestorePayloadSchema = OnInstall.extend(RestoreSnapshot);

export const PrunePayloadSchema = z.object({
  /** Images to keep even when no container uses them (what a rollback would need). */
  prune: z.object({ keep_images: z.array(z.string()) }),
});

/** backup-config: the plan, its secrets sealed to this HDA's key (the control plane cannot read them), and the installs that differ from it. */
export const BackupConfigPayloadSchema = z.object({ backup: BackupPlanInput, apps: InstallBackups.optional() });
/** backup-run: the plan is already on the HDA. */
export const BackupRunPayloadSchema = z.object({});

/** lan-settings: the owner's settings for serving the apps on the home network, applied as a whole. */
export const LanSettingsPayloadSchema = z.object({ lan: LanSettingsSchema });

/** The payload schema of each kind: a new kind does not compile until it has one. */
export const PAYLOAD_SCHEMAS = {
  install: InstallPayloadSchema,
  update: UpdatePayloadSchema,
  rollback: UpdatePayloadSchema,
  uninstall: UninstallPayloadSchema,
  start: LifecyclePayloadSchema,
  stop: LifecyclePayloadSchema,
  restart: LifecyclePayloadSchema,
  logs: LogsPayloadSchema,
  prune: PrunePayloadSchema,
  reconfigure: ReconfigurePayloadSchema,
  'backup-config': BackupConfigPayloadSchema,
  'backup-run': BackupRunPayloadSchema,
  'lan-settings': LanSettingsPayloadSchema,
  snapshot: LifecyclePayloadSchema,
  restore: RestorePayloadSchema,
} as const satisfies Record<TaskKind, z.ZodType>;

export type PayloadOf<K extends TaskKind> = z.infer<(typeof PAYLOAD_SCHEMAS)[K]>;
/** Any kind's payload (what a task row stores beside its kind). */
export type TaskPayload = PayloadOf<TaskKind>;
