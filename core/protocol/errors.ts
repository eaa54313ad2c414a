/** The error body of every 4xx/5xx from the API and the agent protocol. */
import { z } from 'zod';

export const ApiErrorSchema = z.object({ error: z.string(), message: z.string(), details: z.unknown().optional() }).meta({ id: 'Error' });
export type ApiError = z.infer<typeof ApiErrorSchema>;
