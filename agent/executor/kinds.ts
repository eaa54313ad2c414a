/** What the executor and the poll loop need to know about kinds of tasks and their steps. */

/** Kinds that deploy a version (their images are recorded for rollbacks and cleanup). */
export const VERSION_CHANGING = new Set<string>(['install', 'update', 'rollback']);

/** Steps before which a failed update has changed nothing on the host: there is nothing to undo. */
export const CHANGES_NOTHING = new Set(['ports', 'verify', 'render', 'policy', 'pull', 'snapshot', 'restore']);

/** Why each kind snapshots the install's data before it changes anything (uninstall: only with purge). */
export const SNAPSHOT_BEFORE: Partial<Record<string, 'update' | 'rollback' | 'uninstall' | 'restore' | 'manual'>> = {
  update: 'update',
  rollback: 'rollback',
  uninstall: 'uninstall',
  restore: 'restore',
  snapshot: 'manual',
};

/** Kinds whose result reports the install's host port (moved off a taken one, or newly set). */
export const PORT_SETTING = new Set<string>(['install', 'reconfigure']);

/** Tasks that only observe (logs): they run beside the main task instead of after it. */
export const AUX_KINDS = new Set<string>(['logs']);
