/** Heartbeats (`POST /agent/v1/heartbeat`): host facts, per-app state and downsampled metrics. */
import { z } from 'zod';
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

export const HeartbeatInputSchema = z
  .object({
    facts: HostFactsSchema.optional(),
    apps: z.array(AppStatusSchema).max(APPS_PER_HEARTBEAT_MAX).optional(),
    /** Downsampled per-app usage (one sample per app per 5 minutes), sent when a window closes. */
    metrics: z.array(AppMetricSampleSchema).max(METRICS_PER_HEARTBEAT_MAX).optional(),
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
