/** A task's result (`POST /agent/v1/tasks/:id/result`) and what the control plane answers. */
import { z } from 'zod';
import { AgentText, HostPort, StepField } from './fields';
import { APP_RUN_STATES, RESULT_STATES, SNAPSHOT_REASONS, TASK_STATES } from './kinds';

/** restic's snapshot id. */
export const SnapshotIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a restic snapshot id (64 hex)');
const Count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** One snapshot of an install's data (app folder and named volumes), as the agent took it. */
export const SnapshotReportSchema = z.object({
  id: SnapshotIdSchema,
  reason: z.enum(SNAPSHOT_REASONS),
  taken_at: z.string().datetime(),
  /** Bytes of the files in the snapshot. */
  size_bytes: Count,
  /** Bytes this snapshot added to the repository (after deduplication). */
  added_bytes: Count,
  /** How long the app's containers were stopped for it. */
  downtime_ms: Count,
  files: Count,
  /** Named volumes it holds besides the app folder. */
  volumes: z.array(z.string().max(255)).max(100),
});
export type SnapshotReport = z.infer<typeof SnapshotReportSchema>;

export const TaskResultInputSchema = z
  .object({
    state: z.enum(RESULT_STATES),
    /** One line a person can read: what happened, or the step and the reason it failed. */
    detail: AgentText(8000),
    /** The step that failed, when state is failed. */
    step: StepField.optional(),
    /** What the agent actually ran, recorded on the deployment (rendered compose, image digests). */
    rendered_compose: z
      .string()
      .max(512 * 1024)
      .optional(),
    images: z.record(z.string().max(500), z.string().max(200)).optional(),
    /** Installed app state after the task (running, stopped, removed). */
    app_state: z.enum(APP_RUN_STATES).optional(),
    /** The host port the app was given (install: moved off a taken one; reconfigure: the new one). */
    host_port: HostPort.optional(),
    /** Snapshots of the install's data this task took (before an update, on demand, ...), also when it failed. */
    snapshots: z.array(SnapshotReportSchema).max(10).optional(),
    /** The snapshot whose data the task put back (a restore, a rollback with data, a failed update's way back). */
    restored_snapshot: SnapshotIdSchema.optional(),
  })
  .meta({ id: 'TaskResult' });
export type TaskResultInput = z.input<typeof TaskResultInputSchema>;

/** The task's state once the result is recorded (a result for a task already ended answers its state). */
export const TaskResultAckSchema = z.object({ state: z.enum(TASK_STATES) }).meta({ id: 'TaskResultAck' });
export type TaskResultAck = z.infer<typeof TaskResultAckSchema>;
