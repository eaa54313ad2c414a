/** What the snapshot routes answer: an install's data snapshots and the tasks that take or restore one. */
import { z } from '@hono/zod-openapi';
import { SNAPSHOT_REASONS } from '../../core/protocol/kinds';
import { IsoTime, QueuedTask } from './common';

export const SnapshotSchema = z
  .strictObject({
    id: z.string().openapi({ description: "restic's snapshot id (64 hex)" }),
    install_id: z.string(),
    task_id: z.string(),
    deployment_id: z.string().nullable(),
    reason: z.enum(SNAPSHOT_REASONS),
    taken_at: IsoTime,
    size_bytes: z.number().int(),
    added_bytes: z.number().int(),
    downtime_ms: z.number().int(),
    files: z.number().int(),
    volumes: z.array(z.string()),
  })
  .openapi('Snapshot');

export const SnapshotsSchema = z.strictObject({ snapshots: z.array(SnapshotSchema) }).openapi('Snapshots');
export const SnapshotQueuedSchema = z.strictObject({ task: QueuedTask }).openapi('SnapshotQueued');
export const RestoreQueuedSchema = z.strictObject({ task: QueuedTask, snapshot: SnapshotSchema }).openapi('RestoreQueued');
