/** What the executor knows about its steps beyond their names (kinds of tasks: core/protocol/kinds.ts). */
import type { StepName } from '../../core/protocol';

/** Steps before which a failed update has changed nothing on the host: there is nothing to undo. */
export const CHANGES_NOTHING = new Set<string>(['ports', 'verify', 'render', 'policy', 'pull'] satisfies StepName[]);
