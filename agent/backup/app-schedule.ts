/**
 * Which apps a run backs up and what each keeps: an app follows the HDA's plan unless the owner gave
 * it its own schedule and retention, or left it out. Read without the schemas (the idle timer uses it).
 */
import type { InstallBackup } from '../../core/backup/install-backup';
import type { Retention } from '../../core/backup/plan';
import type { BackupHealth } from '../../core/protocol';
import type { OffsitePlan } from './offsite-files';
import type { ForgetPolicy } from './restic';

export interface AppSchedule {
  every_hours: number;
  retention: Retention;
}

type AppHealth = NonNullable<BackupHealth['apps']>[number];
const HOUR_MS = 3_600_000;

/** The app's schedule, or null when it is left out of the off-HDA backup. */
export function scheduleOf(plan: OffsitePlan, identifier: string): AppSchedule | null {
  const own: InstallBackup | undefined = plan.apps?.[identifier];
  if (own?.mode === 'excluded') return null;
  if (own?.mode === 'own' && own.every_hours && own.retention) return { every_hours: own.every_hours, retention: own.retention };
  return { every_hours: plan.every_hours, retention: plan.retention };
}

/** When the app's next snapshot is due: its last one plus its period (now when it has none). */
export function dueAt(s: AppSchedule, last: AppHealth | undefined, now: number): number {
  const at = last?.at ? Date.parse(last.at) : Number.NaN;
  return Number.isNaN(at) ? now : at + s.every_hours * HOUR_MS;
}

/** The apps of `identifiers` whose snapshot is due at `now` (all that are not left out, when `all`). */
export function dueApps(plan: OffsitePlan, identifiers: readonly string[], last: readonly AppHealth[], now: number, all = false): string[] {
  return identifiers.filter((id) => {
    const s = scheduleOf(plan, id);
    return (
      s !== null &&
      (all ||
        dueAt(
          s,
          last.find((a) => a.identifier === id),
          now,
        ) <= now)
    );
  });
}

/** The next time any app is due; the plan's period from now when no app is backed up. */
export function nextRunAt(plan: OffsitePlan, identifiers: readonly string[], last: readonly AppHealth[], now: number): number {
  let next = now + plan.every_hours * HOUR_MS;
  for (const id of identifiers) {
    const s = scheduleOf(plan, id);
    if (s)
      next = Math.min(
        next,
        dueAt(
          s,
          last.find((a) => a.identifier === id),
          now,
        ),
      );
  }
  return next;
}

/**
 * One forget per app, by its tag: an app's own retention never thins another app's snapshots. Apps left
 * out, and apps gone from the HDA whose snapshots remain, keep what the plan keeps, so the repository
 * does not hold them whole forever.
 */
export function forgetPolicies(plan: OffsitePlan, identifiers: readonly string[], hdaId: string, tagOf: (id: string) => string): ForgetPolicy[] {
  return [...new Set(identifiers)].map((id) => {
    const r = scheduleOf(plan, id)?.retention ?? plan.retention;
    return { keepDaily: r.daily, keepWeekly: r.weekly, keepMonthly: r.monthly, keepYearly: r.yearly, tags: [tagOf(id)], host: hdaId };
  });
}
