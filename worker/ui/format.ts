/** Plain-words formatting for pages: sizes, times, step names. Shared by server pages and the browser code. */
import type { HostFacts } from '../../core/protocol';

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

/** How long something took: "12 s", "3 min 5 s", "2 h 4 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The time between two ISO instants, or null when either is missing. */
export const durationBetween = (from: string | null | undefined, to: string | null | undefined) => (from && to ? Date.parse(to) - Date.parse(from) : null);

/** An HDA's host facts as label/value rows (the dashboard card shows the first five). */
export function factRows(f: HostFacts): Array<[string, string]> {
  const compose = f.compose_version ? `${f.compose_version}${f.compose_flavor ? ` (${f.compose_flavor === 'v2' ? 'plugin' : 'docker-compose v1'})` : ''}` : '—';
  return [
    ['CPU', f.cpus ? `${f.cpus} × ${f.cpu_model ?? 'CPU'}` : (f.cpu_model ?? '—')],
    ['Memory', formatBytes(f.memory_bytes)],
    ['Disk free', formatBytes(f.disk_free_bytes)],
    ['Docker', f.docker_version ?? '—'],
    ['Compose', compose],
    ['System', [f.os, f.arch].filter(Boolean).join(' · ') || '—'],
  ];
}

/** What a deployment's status is called in the history (a deployment at work is not a running app). */
export const DEPLOYMENT_LABELS: Record<string, { label: string; tone: string }> = {
  pending: { label: 'Queued', tone: 'busy' },
  running: { label: 'In progress', tone: 'busy' },
  succeeded: { label: 'Succeeded', tone: 'good' },
  failed: { label: 'Failed', tone: 'bad' },
  cancelled: { label: 'Cancelled', tone: 'idle' },
};

/** A compact, unambiguous UTC time for history tables. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
}

/** What the agent's executor steps mean, in words a person reads on the task page. */
export const STEP_LABELS: Record<string, string> = {
  ports: 'Check the host port',
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
  snapshot: "Snapshot the app's data",
  restore: "Put the app's data back",
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
  retry: 'Retry',
  reconfigure: 'Apply settings',
  limits: 'Limits',
  port: 'Port',
  snapshot: 'Snapshot',
  restore: 'Restore data',
};

/** Why a data snapshot was taken, in words. */
export const SNAPSHOT_REASON_LABELS: Record<string, string> = {
  update: 'Before an update',
  rollback: 'Before a rollback',
  uninstall: 'Before uninstalling',
  restore: 'Before a restore',
  manual: 'Taken by you',
};

/** Item states in words (the API's `queued` means the HDA has its task). */
export const ITEM_LABELS: Record<string, string> = {
  pending: 'Waiting',
  queued: 'In progress',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
  rolled_back: 'Rolled back',
};

/** Fleet deployment states in words. */
export const BATCH_LABELS: Record<string, string> = {
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  rolling_back: 'Rolling back',
  rolled_back: 'Rolled back',
  cancelled: 'Cancelled',
};
