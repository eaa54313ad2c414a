/** Response pieces every resource shares: the error body, times, acknowledgements, a queued task. */
import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .strictObject({ error: z.string(), message: z.string(), details: z.unknown().optional() })
  .openapi('Error', { description: 'Every refusal: a code, a sentence a person can read, and details when there are any' });

/** An ISO 8601 time in UTC, as every response writes times. */
export const IsoTime = z.iso.datetime();
export const MaybeTime = IsoTime.nullable();

export const Ok = z.strictObject({ ok: z.literal(true) }).openapi('Ok');

/** How a route answers for a task it just queued: follow it at `url`. */
export const QueuedTask = z.strictObject({ id: z.string(), state: z.literal('queued'), url: z.string() }).openapi('QueuedTask');
