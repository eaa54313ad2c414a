/** What the fleet routes answer: a deployment across many HDAs and each HDA's part in it. */
import { z } from '@hono/zod-openapi';
import { BATCH_ITEM_STATES, BATCH_STATES } from '../../core/fleet/states';
import { MaybeTime } from './common';

export const BatchItemSchema = z
  .strictObject({
    hda_id: z.string(),
    hda_name: z.string(),
    state: z.enum(BATCH_ITEM_STATES),
    action: z.enum(['install', 'update']).nullable(),
    install_id: z.string().nullable(),
    task_id: z.string().nullable(),
    detail: z.string().nullable(),
    updated_at: MaybeTime,
  })
  .openapi('BatchItem');

export const BatchSchema = z
  .strictObject({
    id: z.string(),
    state: z.enum(BATCH_STATES),
    app: z.strictObject({ slug: z.string(), name: z.string() }),
    version: z.string(),
    concurrency: z.number().int(),
    all_or_nothing: z.boolean(),
    policy_exceptions: z.array(z.string()),
    created_at: MaybeTime,
    finished_at: MaybeTime,
  })
  .openapi('Batch');

export const BatchDetailSchema = z
  .strictObject({ batch: BatchSchema, items: z.array(BatchItemSchema) })
  .openapi('BatchDetail', { description: 'A fleet deployment and its per-HDA items (also each `batch` event of its stream)' });

export const BatchesSchema = z
  .strictObject({ batches: z.array(z.strictObject({ id: z.string(), state: z.enum(BATCH_STATES), created_at: z.iso.datetime() })) })
  .openapi('Batches');
