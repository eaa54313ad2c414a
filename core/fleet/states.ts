/** A fleet deployment's states and its items', declared once: storage, API schemas and the UI take these. */

export const BATCH_STATES = ['running', 'succeeded', 'failed', 'rolling_back', 'rolled_back', 'cancelled'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/** `skipped`: the install is held or skips this version by its owner's choice (the detail says which). */
export const BATCH_ITEM_STATES = ['pending', 'queued', 'succeeded', 'failed', 'cancelled', 'rolled_back', 'skipped'] as const;
export type BatchItemState = (typeof BATCH_ITEM_STATES)[number];

/** Item states that will not change again. */
export const FINISHED_ITEM_STATES: ReadonlySet<string> = new Set<BatchItemState>(['succeeded', 'failed', 'cancelled', 'rolled_back', 'skipped']);
