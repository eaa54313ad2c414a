/** Heartbeats (`POST /agent/v1/heartbeat`): host facts, per-app state and downsampled metrics. */
import { z } from 'zod';
import { PublicJwkSchema } from '../backup/schemas';
import { HostFactsSchema } from './enrollment';
import { InstallIdentifier, Port } from './fields';
import { LanHealthSchema } from './lan';
import { APP_RUN_STATES } from './kinds';
import { APPS_PER_HEARTBEAT_MAX, METRICS_PER_HEARTBEAT_MAX } from './limits';

export const AppStatusSchema = z.object({
  identifier: InstallIdentifier,
  state: z.enum(APP_RUN_STATES),
  health: z.string().max(40).nullable().optional(),
  cpu_percent: z.number().nullable().optional(),
  memory_bytes: z.number().nullable().optional(),
  /** The host port Apache proxies to now: the install's host_port, or the second slot's after a blue/green switch. */
  live_port: Port.optional(),
});
export type AppStatus = z.infer<typeof AppStatusSchema>;

export const AppMetricSampleSchema = z.object({
  identifier: InstallIdentifier,
  /** Start of the 5-minute window (ISO). */
  at: z.string().datetime(),
  cpu_avg: z.number().min(0).max(100_000),
  cpu_max: z.number().min(0).max(100_000),
  memory_avg: z.number().min(0),
  memory_max: z.number().min(0),
  samples: z.number().int().min(1).max(100_000),
});
export type AppMetricSample = z.infer<typeof AppMetricSampleSchema>;

const IsoOrNull = z.string().max(40).nullable();
/** How the off-HDA backup fares: shown per HDA. Sizes in bytes, times ISO. */
export const BackupHealthSchema = z.strictObject({
  /** The repository's label (its address without credentials). */
  repository: z.string().max(200),
  every_hours: z
    .number()
    .int()
    .min(1)
    .max(24 * 7),
  last_success_at: IsoOrNull,
  last_error: z.strictObject({ at: z.string().max(40), message: z.string().max(4000) }).nullable(),
  next_run_at: IsoOrNull,
  repository_size: z.number().min(0).nullable(),
  snapshots: z.number().int().min(0).nullable(),
  /** The last successful run's snapshot per app. */
  apps: z
    .array(
      z.strictObject({
        identifier: InstallIdentifier,
        snapshot_id: z.string().max(64),
        /** When that snapshot was taken: the app's next one is due its every_hours later. */
        at: z.string().max(40).optional(),
        bytes: z.number().min(0),
        added_bytes: z.number().min(0),
        /** How long the app was stopped for its snapshot. */
        downtime_ms: z.number().int().min(0).optional(),
        /** The named volumes the snapshot holds besides the app folder. */
        volumes: z.array(z.string().max(255)).max(64).optional(),
      }),
    )
    .max(APPS_PER_HEARTBEAT_MAX)
    .optional(),
});
export type BackupHealth = z.infer<typeof BackupHealthSchema>;

export const HeartbeatInputSchema = z
  .object({
    facts: HostFactsSchema.optional(),
    apps: z.array(AppStatusSchema).max(APPS_PER_HEARTBEAT_MAX).optional(),
    /** Downsampled per-app usage (one sample per app per 5 minutes), sent when a window closes. */
    metrics: z.array(AppMetricSampleSchema).max(METRICS_PER_HEARTBEAT_MAX).optional(),
    /** The public half of the key backup secrets are sealed to. */
    backup_key: PublicJwkSchema.optional(),
    /** The off-HDA backup's state, once one is set up. */
    backup: BackupHealthSchema.optional(),
    /** Names and certificates: sent with every heartbeat, stored when it changed. */
    lan: LanHealthSchema.optional(),
  })
  .meta({ id: 'Heartbeat' });
export type HeartbeatInput = z.infer<typeof HeartbeatInputSchema>;

export const HeartbeatResponseSchema = z
  .object({
    ok: z.literal(true),
    /** Seconds until the server wants the next unchanged heartbeat. */
    next_heartbeat_s: z.number().int(),
  })
  .meta({ id: 'HeartbeatResponse' });
export type HeartbeatResponse = z.infer<typeof HeartbeatResponseSchema>;
