/** Plain-words formatting for pages: sizes, times, step names. Shared by server pages and the client script. */

export function formatBytes(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago"; "never" for null. */
export function timeAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  const d = Math.round(s / 86400);
  return `${d} day${d === 1 ? '' : 's'} ago`;
}

/** A compact, unambiguous UTC time for history tables. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
}

/** What the agent's executor steps mean, in words a person reads on the task page. */
export const STEP_LABELS: Record<string, string> = {
  verify: 'Verify the signature',
  render: 'Prepare the compose file',
  policy: 'Safety check',
  prepare: 'Write the app folder',
  pull: 'Download images',
  up: 'Start containers',
  health: 'Wait until it runs',
  vhost: 'Configure the web server',
  reload: 'Reload the web server',
  probe: 'Check the app answers',
  down: 'Stop containers',
  cleanup: 'Clean up',
  logs: 'Container logs',
  prune: 'Remove unused images',
};

export const stepLabel = (step: string | null | undefined) => (step ? (STEP_LABELS[step] ?? step) : 'Task');

/** Deployment / task actions as verbs. */
export const ACTION_LABELS: Record<string, string> = {
  install: 'Install',
  update: 'Update',
  rollback: 'Roll back',
  uninstall: 'Uninstall',
  start: 'Start',
  stop: 'Stop',
  restart: 'Restart',
  logs: 'Logs',
  prune: 'Prune images',
};
