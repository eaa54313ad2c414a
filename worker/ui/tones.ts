/** Which color a state word gets: good (green), busy (blue), bad (red), warn (amber), idle (grey). */
export const TONES: Record<string, string> = {
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
  missing: 'bad',
  exited: 'warn',
  needs_review: 'warn',
  stopped: 'idle',
  removed: 'idle',
  cancelled: 'idle',
};

export const toneOf = (state: string | null | undefined) => TONES[state ?? ''] ?? 'idle';
