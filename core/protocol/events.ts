/** Task events (`POST /agent/v1/tasks/:id/events`) and the data some kinds put in them. */
import { z } from 'zod';
import { AgentText, StepField } from './fields';
import { EVENT_STATUSES } from './kinds';
import { EVENT_DATA_MAX_DEPTH, EVENTS_PER_REPORT_MAX } from './limits';

/** True when `value` nests at most `max` levels of objects and arrays. */
export function nestsWithin(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) return false;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return true;
}

/**
 * How far a long transfer is (a snapshot, a backup run, a restore): bytes done of the total, what it
 * is about (an app, a path), and whether the figure is measured beside the tool rather than reported by it.
 */
export const TaskProgressSchema = z
  .object({
    /** What moves: an app's identifier or a path; one bar per item. */
    item: z.string().min(1).max(200).optional(),
    bytes_done: z.number().int().min(0),
    /** null while the total is unknown: the bar is indeterminate. */
    bytes_total: z.number().int().min(0).nullable(),
    /** 0..1 as the tool counts it (restic weighs files too), else bytes_done / bytes_total; null when unknown. */
    fraction: z.number().min(0).max(1).nullable(),
    /** True when measured from what is written so far (restic 0.14 reports no restore progress). */
    approximate: z.boolean().optional(),
  })
  .meta({ id: 'TaskProgress' });
export type TaskProgress = z.infer<typeof TaskProgressSchema>;

export const TaskEventInputSchema = z.object({
  /** Per-task sequence number chosen by the agent, starting at 1; (task, seq) is the idempotency key. */
  seq: z.number().int().min(1).max(1_000_000_000),
  status: z.enum(EVENT_STATUSES),
  message: AgentText(4000),
  step: StepField.optional(),
  /** Free-form details, e.g. `{ layer, current, total }` for a `Progress` event. */
  data: z
    .record(z.string(), z.unknown())
    .refine((d) => nestsWithin(d, EVENT_DATA_MAX_DEPTH), `must nest at most ${EVENT_DATA_MAX_DEPTH} levels`)
    .optional(),
  /** A `Progress` event's typed figures: the UI draws them as a bar with percent and bytes. */
  progress: TaskProgressSchema.optional(),
});
export type TaskEventInput = z.input<typeof TaskEventInputSchema>;

export const TaskEventsSchema = z.array(TaskEventInputSchema).min(1).max(EVENTS_PER_REPORT_MAX).meta({ id: 'TaskEvents' });

/** An event as the control plane serves it back. */
export interface TaskEvent extends TaskEventInput {
  task_id: string;
  at: string;
}

export const TaskEventsAckSchema = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int(),
    /** The highest seq the server holds for this task: the agent may forget every event up to it. */
    last_seq: z.number().int(),
  })
  .meta({ id: 'TaskEventsAck' });
export type TaskEventsAck = z.infer<typeof TaskEventsAckSchema>;

/** `data` of a `prune` task's event that reports removed images: bytes freed (a Finalized event's value is the total). */
export const PruneReportSchema = z.object({ bytes_freed: z.number(), removed: z.array(z.string()).optional() });
export type PruneReport = z.infer<typeof PruneReportSchema>;

/** Sent as `data` of the `logs` task's events: one batch of lines of one container stream. */
export const LogChunkSchema = z.object({ container: z.string(), stream: z.enum(['stdout', 'stderr']), lines: z.array(z.string()) });
export type LogChunk = z.infer<typeof LogChunkSchema>;
