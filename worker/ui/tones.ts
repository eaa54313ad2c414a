/** Which color a state word gets: good (green), busy (blue), bad (red), warn (amber), idle (grey). */
import type { AppRunState, TaskState } from '../../core/protocol/kinds';
import type { BATCH_ITEM_STATES, BATCH_STATES } from '../../core/fleet/states';
import type { DEPLOYMENT_STATUSES, InstallState, VERSION_STATUSES } from '../../db/schema';

type Tone = 'good' | 'busy' | 'bad' | 'warn' | 'idle';
/** Every state the core and the storage declare: a new one does not compile until it has a tone. */
type DeclaredState =
  | TaskState
  | AppRunState
  | InstallState
  | (typeof BATCH_STATES)[number]
  | (typeof BATCH_ITEM_STATES)[number]
  | (typeof DEPLOYMENT_STATUSES)[number]
  | (typeof VERSION_STATUSES)[number];

export const TONES: Record<string, Tone> = {
  online: 'good',
  running: 'good',
  succeeded: 'good',
  ready: 'good',
  healthy: 'good',
  installing: 'busy',
  updating: 'busy',
  uninstalling: 'busy',
  queued: 'busy',
  claimed: 'busy',
  pending: 'busy',
  restarting: 'busy',
  starting: 'busy',
  offline: 'bad',
  failed: 'bad',
  unhealthy: 'bad',
  revoked: 'bad',
  rejected: 'bad',
  missing: 'bad',
  exited: 'warn',
  needs_review: 'warn',
  rolling_back: 'warn',
  rolled_back: 'warn',
  stopped: 'idle',
  removed: 'idle',
  cancelled: 'idle',
  skipped: 'idle',
  unknown: 'idle',
} satisfies Record<DeclaredState, Tone> & Record<string, Tone>;

export const toneOf = (state: string | null | undefined) => TONES[state ?? ''] ?? 'idle';
