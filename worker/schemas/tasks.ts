/** What the task routes answer: a task's state and the progress events its agent reported. */
import { z } from '@hono/zod-openapi';
import { EVENT_STATUSES, TASK_KINDS, TASK_STATES, TaskProgressSchema } from '../../core/protocol';
import { MaybeTime } from './common';

export const TaskSchema = z
  .strictObject({
    id: z.string(),
    hda_id: z.string(),
    install_id: z.string().nullable(),
    deployment_id: z.string().nullable(),
    kind: z.enum(TASK_KINDS),
    state: z.enum(TASK_STATES),
    attempts: z.number().int(),
    detail: z.string().nullable(),
    failed_step: z.string().nullable(),
    lease_until: MaybeTime,
    created_at: MaybeTime,
    claimed_at: MaybeTime,
    finished_at: MaybeTime,
  })
  .openapi('Task');

export const TaskEventSchema = z
  .strictObject({
    seq: z.number().int(),
    status: z.string().openapi({ description: `Stored as the agent sent it: one of ${EVENT_STATUSES.join(', ')}` }),
    step: z.string().nullable(),
    message: z.string(),
    data: z.record(z.string(), z.unknown()).nullable(),
    progress: TaskProgressSchema.nullable(),
    at: MaybeTime,
  })
  .openapi('TaskEvent');

export const TaskDetailSchema = z.strictObject({ task: TaskSchema, events: z.array(TaskEventSchema) }).openapi('TaskDetail');
export const CancelledTaskSchema = z.strictObject({ task: TaskSchema }).openapi('CancelledTask');
