/** Response pieces every resource shares: times, acknowledgements, a queued task (the error body is core/protocol's). */
import { z } from '@hono/zod-openapi';

/** An ISO 8601 time in UTC, as every response writes times. */
export const IsoTime = z.iso.datetime();
export const MaybeTime = IsoTime.nullable();

export const Ok = z.strictObject({ ok: z.literal(true) }).openapi('Ok');

/** How a route answers for a task it just queued: follow it at `url`. */
export const QueuedTask = z.strictObject({ id: z.string(), state: z.literal('queued'), url: z.string() }).openapi('QueuedTask');
