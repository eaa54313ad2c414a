/**
 * The protocol's named things, declared once: task kinds, task states, event statuses, step names,
 * app states. Plain constants without zod, so the agent may import them as values.
 */

/** What a task asks the agent to do: to one install, or HDA-wide (prune, backups). */
export const TASK_KINDS = [
  'install',
  'update',
  'rollback',
  'uninstall',
  'start',
  'stop',
  'restart',
  'logs',
  'prune',
  /** Apply new limits or a new host port to what runs: no pull, no blue/green switch. */
  'reconfigure',
  /** HDA-wide: take the owner's off-HDA backup plan (its secrets sealed to this HDA's key) and open the repository. */
  'backup-config',
  /** HDA-wide: run the off-HDA backup now instead of at its next scheduled time. */
  'backup-run',
  /** HDA-wide: apply the owner's LAN settings (names, HTTPS redirect, certificate source) to every app. */
  'lan-settings',
  /** Take a snapshot of the install's data now (the owner asked). */
  'snapshot',
  /** Put the install's data back as a snapshot holds it (payload.restore_snapshot). */
  'restore',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** Kinds that deploy a version: their images are recorded for rollbacks and cleanup. */
export const VERSION_CHANGING_KINDS = ['install', 'update', 'rollback'] as const satisfies readonly TaskKind[];
export type VersionChangingKind = (typeof VERSION_CHANGING_KINDS)[number];

/** Kinds whose result reports the install's host port (moved off a taken one, or newly set). */
export const PORT_SETTING_KINDS = ['install', 'reconfigure'] as const satisfies readonly TaskKind[];
export type PortSettingKind = (typeof PORT_SETTING_KINDS)[number];

/** Kinds that only observe (logs): they run in the aux lane, beside the main task, blocking nothing. */
export const AUX_KINDS = ['logs'] as const satisfies readonly TaskKind[];

/** Kinds that act on the whole HDA and carry no install. */
export const HDA_WIDE_KINDS = ['prune', 'backup-config', 'backup-run', 'lan-settings'] as const satisfies readonly TaskKind[];
export type HdaWideKind = (typeof HDA_WIDE_KINDS)[number];
/** Kinds that act on one install: their payload carries it. */
export type AppTaskKind = Exclude<TaskKind, HdaWideKind>;

/** `list.includes(value)` that narrows `value` to the list's members. */
export function isOneOf<T extends string>(list: readonly T[], value: string | null | undefined): value is T {
  return (list as readonly (string | null | undefined)[]).includes(value);
}

export const TASK_STATES = ['queued', 'claimed', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];
/** States a task never leaves. */
export const FINAL_TASK_STATES = ['succeeded', 'failed', 'cancelled'] as const satisfies readonly TaskState[];
export type FinalTaskState = (typeof FINAL_TASK_STATES)[number];
/** What an agent may report a task ended in (cancelling is the control plane's). */
export const RESULT_STATES = ['succeeded', 'failed'] as const satisfies readonly FinalTaskState[];
/** Queued or claimed: still to be done. */
export const OPEN_TASK_STATES = ['queued', 'claimed'] as const satisfies readonly TaskState[];

/**
 * Progress statuses follow the Lighthouse stream: `Starting` opens a step, `OK | Warning | Error`
 * report inside it, `Progress` carries byte counts (image pulls), `Complete` closes the step and
 * `Finalized` ends the task.
 */
export const EVENT_STATUSES = ['Starting', 'OK', 'Warning', 'Error', 'Progress', 'Complete', 'Finalized'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/**
 * The named steps of the agent's executor: first the install's, in the order it runs them, then
 * those only other kinds run. Every step the agent reports is one of these.
 */
export const STEP_NAMES = [
  'verify',
  'ports',
  'render',
  'policy',
  'prepare',
  'pull',
  'mounts',
  'up',
  'health',
  'vhost',
  'reload',
  'probe',
  'retire',
  'images',
  'down',
  'cleanup',
  'stop',
  'restart',
  'logs',
  'prune',
  'snapshot',
  'restore',
  /** An install on a replacement HDA: the app's data back from the old HDA's latest off-HDA snapshot. */
  'restore-offsite',
  'backup-config',
  'backup-run',
  'lan-settings',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** Why the agent took a snapshot of an install's data. */
export const SNAPSHOT_REASONS = ['update', 'rollback', 'uninstall', 'restore', 'manual'] as const;
export type SnapshotReason = (typeof SNAPSHOT_REASONS)[number];

/** An app's state on the HDA as the agent sees it. */
export const APP_RUN_STATES = ['running', 'stopped', 'restarting', 'exited', 'missing', 'removed', 'unknown'] as const;
export type AppRunState = (typeof APP_RUN_STATES)[number];
