/**
 * Each fact of the protocol is declared once (core/protocol) and every use is checked against it:
 * a new task kind, step or state fails here (or fails to type-check) until every place handles it.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { PLANS } from '../../../agent/executor/plans';
import {
  APP_RUN_STATES,
  ClaimedTaskSchema,
  FINAL_TASK_STATES,
  PAYLOAD_SCHEMAS,
  RESULT_STATES,
  STEP_NAMES,
  TASK_KINDS,
  TASK_STATES,
  type AppRunState,
  type ClaimedTask,
  type StepName,
  type TaskKind,
  type TaskOf,
  type TaskState,
} from '../../../core/protocol';
import { DEPLOYMENT_ACTIONS, tasks } from '../../../db/schema';
import type { PayloadOf } from '../../../core/protocol';
import { AppStatusSchema } from '../../../core/protocol/heartbeat';
import { TaskResultInputSchema } from '../../../core/protocol/result';

const install = { id: 'i1', identifier: 'web', hostname: 'web.home.test', host_port: 35001, domain: 'home.test', policy_exceptions: [] };
const version = { app: 'web', version: '1.0', kind: 'container', compose: 'services: {}\n', files: {}, steps: [] };
const base = { id: 't1', hda_id: 'h1', install_id: 'i1', deployment_id: null, attempts: 1, lease_until: new Date(0).toISOString() };

describe('task kinds', () => {
  it('every kind has a payload schema, a claimed-task shape and a plan of steps; no other kind has one', () => {
    expect(Object.keys(PAYLOAD_SCHEMAS).sort()).toEqual([...TASK_KINDS].sort());
    expect(Object.keys(PLANS).sort()).toEqual([...TASK_KINDS].sort());
    const claimable = ClaimedTaskSchema.options.map((o) => o.shape.kind.value);
    expect(claimable.sort()).toEqual([...TASK_KINDS].sort());
    expectTypeOf<ClaimedTask['kind']>().toEqualTypeOf<TaskKind>();
  });

  it('a prune task carries no install: the schema takes it without one, and reading one does not type-check', () => {
    const prune = ClaimedTaskSchema.parse({ ...base, install_id: null, kind: 'prune', payload: { prune: { keep_images: ['a:1'] } } });
    expect(prune.kind).toBe('prune');
    const t = prune as TaskOf<'prune'>;
    // @ts-expect-error an HDA-wide task has no install to read
    expect(t.payload.install).toBeUndefined();
    expectTypeOf<TaskOf<'prune'>['payload']>().not.toHaveProperty('install');
    expectTypeOf<TaskOf<'stop'>['payload']>().toHaveProperty('install');
  });

  it('a task on an install is refused without its install, and each kind without what it needs', () => {
    expect(ClaimedTaskSchema.safeParse({ ...base, kind: 'start', payload: {} }).success).toBe(false);
    expect(ClaimedTaskSchema.safeParse({ ...base, kind: 'start', payload: { install } }).success).toBe(true);
    expect(ClaimedTaskSchema.safeParse({ ...base, kind: 'install', payload: { install } }).success).toBe(false);
    expect(ClaimedTaskSchema.safeParse({ ...base, kind: 'install', payload: { install, version } }).success).toBe(true);
    expect(ClaimedTaskSchema.safeParse({ ...base, kind: 'logs', payload: { install } }).success).toBe(false);
    expect(ClaimedTaskSchema.safeParse({ ...base, kind: 'reconfigure', payload: { install, version } }).success).toBe(false);
    expect(ClaimedTaskSchema.safeParse({ ...base, kind: 'teleport', payload: { install } }).success).toBe(false);
  });

  it('the tasks table stores the declared kinds and states', () => {
    expect(tasks.kind.enumValues).toEqual([...TASK_KINDS]);
    expect(tasks.state.enumValues).toEqual([...TASK_STATES]);
    expectTypeOf<(typeof tasks.$inferSelect)['kind']>().toEqualTypeOf<TaskKind>();
    expectTypeOf<(typeof tasks.$inferSelect)['state']>().toEqualTypeOf<TaskState>();
  });

  it('a deployment records every kind that deploys, a reconfigure as the change it made', () => {
    type Recorded = Exclude<TaskKind, 'reconfigure' | 'logs' | 'prune' | 'snapshot' | 'restore'> | PayloadOf<'reconfigure'>['reconfigure']['change'];
    expectTypeOf<(typeof DEPLOYMENT_ACTIONS)[number]>().toEqualTypeOf<Recorded>();
    expect(DEPLOYMENT_ACTIONS).not.toContain('reconfigure');
  });
});

describe('steps and states', () => {
  it('every step a plan runs is a declared step name, and every declared name is run by some plan', () => {
    const used = new Set(Object.values(PLANS).flatMap((plan) => plan.map((s) => s.name)));
    for (const name of used) expect(STEP_NAMES).toContain(name);
    expect([...STEP_NAMES].filter((n) => !used.has(n))).toEqual([]);
    expectTypeOf<(typeof PLANS)['install'][number]['name']>().toEqualTypeOf<StepName>();
  });

  it('final and result states are task states; the app states the agent reports are the ones the server accepts', () => {
    for (const s of FINAL_TASK_STATES) expect(TASK_STATES).toContain(s);
    for (const s of RESULT_STATES) expect(FINAL_TASK_STATES).toContain(s);
    expect(TaskResultInputSchema.shape.app_state.unwrap().options).toEqual([...APP_RUN_STATES]);
    expect(AppStatusSchema.shape.state.options).toEqual([...APP_RUN_STATES]);
    expectTypeOf<NonNullable<ReturnType<typeof TaskResultInputSchema.parse>['app_state']>>().toEqualTypeOf<AppRunState>();
  });
});
