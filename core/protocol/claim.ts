/** The long-poll (`GET /agent/v1/tasks?wait=S`): claimed tasks, each bound to its kind's payload. */
import { z } from 'zod';
import type { AppTaskKind, TaskKind } from './kinds';
import { PAYLOAD_SCHEMAS } from './payload';

const ClaimedBase = z.object({
  id: z.string(),
  hda_id: z.string(),
  install_id: z.string().nullable(),
  deployment_id: z.string().nullable(),
  attempts: z.number().int(),
  /** ISO time after which the server may hand the task to a poll again. */
  lease_until: z.string(),
});

function claimed<K extends TaskKind>(kind: K) {
  return ClaimedBase.extend({ kind: z.literal(kind), payload: PAYLOAD_SCHEMAS[kind] });
}

export const ClaimedTaskSchema = z
  .discriminatedUnion('kind', [
    claimed('install'),
    claimed('update'),
    claimed('rollback'),
    claimed('uninstall'),
    claimed('start'),
    claimed('stop'),
    claimed('restart'),
    claimed('logs'),
    claimed('prune'),
    claimed('reconfigure'),
    claimed('backup-config'),
    claimed('backup-run'),
    claimed('lan-settings'),
    claimed('snapshot'),
    claimed('restore'),
  ])
  .meta({ id: 'ClaimedTask' });
export type ClaimedTask = z.infer<typeof ClaimedTaskSchema>;
type ClaimedByKind = { [K in TaskKind]: Extract<ClaimedTask, { kind: K }> };
/** A claimed task of the given kind(s) (an indexed access, so a step of more kinds fits a plan of fewer). */
export type TaskOf<K extends TaskKind> = ClaimedByKind[K];
/** A claimed task that acts on one install (every kind but the HDA-wide ones). */
export type AppTask = TaskOf<AppTaskKind>;

export const TasksResponseSchema = z.object({ tasks: z.array(ClaimedTaskSchema) }).meta({ id: 'TasksResponse' });
export type TasksResponse = z.infer<typeof TasksResponseSchema>;

/** `POST /agent/v1/tasks/:id/release`: the task is queued again (an agent stopping before it began the work). */
export const ReleaseResponseSchema = z.object({ released: z.boolean() }).meta({ id: 'Released' });
export type ReleaseResponse = z.infer<typeof ReleaseResponseSchema>;
