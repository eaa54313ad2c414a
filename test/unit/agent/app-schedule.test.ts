/**
 * Which apps a run backs up and the forget each gets, down to restic's argv: an app's own retention is
 * scoped to its tag and host, the plan's apps each get the plan's, an excluded app none.
 */
import { describe, expect, it } from 'vitest';
import { InstallBackup } from '../../../core/backup/install-backup';
import { dueApps, forgetPolicies, nextRunAt, scheduleOf } from '../../../agent/backup/app-schedule';
import type { OffsitePlan } from '../../../agent/backup/offsite-files';
import { appTag } from '../../../agent/backup/offsite-app';
import { forgetArgs } from '../../../agent/backup/restic';

const HDA = '11111111-2222-4333-8444-555555555555';
const HOUR = 3_600_000;
const PLAN: OffsitePlan = {
  repository_label: 'office',
  every_hours: 24,
  retention: { daily: 7, weekly: 4, monthly: 6 },
  apps: { notes: { mode: 'own', every_hours: 6, retention: { daily: 2, yearly: 1 } }, secret: { mode: 'excluded' } },
};
const IDS = ['hello', 'notes', 'secret'];
const T0 = Date.parse('2026-12-01T00:00:00Z');
const last = (id: string, at: number) => ({ identifier: id, snapshot_id: 'abcd1234', bytes: 1, added_bytes: 0, at: new Date(at).toISOString() });

describe('per-app schedule', () => {
  it('follows the plan unless the app has its own, and has none when excluded', () => {
    expect(scheduleOf(PLAN, 'hello')).toEqual({ every_hours: 24, retention: PLAN.retention });
    expect(scheduleOf(PLAN, 'notes')).toEqual({ every_hours: 6, retention: { daily: 2, yearly: 1 } });
    expect(scheduleOf(PLAN, 'secret')).toBeNull();
  });

  it('an app is due once its own period elapsed since its last snapshot; one never backed up is due at once', () => {
    const prev = [last('hello', T0), last('notes', T0)];
    expect(dueApps(PLAN, IDS, prev, T0 + 5 * HOUR)).toEqual([]);
    expect(dueApps(PLAN, IDS, prev, T0 + 6 * HOUR)).toEqual(['notes']);
    expect(dueApps(PLAN, IDS, prev, T0 + 24 * HOUR)).toEqual(['hello', 'notes']);
    expect(dueApps(PLAN, [...IDS, 'fresh'], prev, T0 + HOUR)).toEqual(['fresh']);
    // "Back up now" takes every app not left out.
    expect(dueApps(PLAN, IDS, prev, T0 + HOUR, true)).toEqual(['hello', 'notes']);
  });

  it('the next run is the soonest app, never one left out', () => {
    expect(nextRunAt(PLAN, IDS, [last('hello', T0), last('notes', T0)], T0)).toBe(T0 + 6 * HOUR);
    expect(nextRunAt(PLAN, ['hello', 'secret'], [last('hello', T0)], T0)).toBe(T0 + 24 * HOUR);
    expect(nextRunAt(PLAN, ['secret'], [], T0)).toBe(T0 + 24 * HOUR);
  });

  it("each app's forget is restic's argv with its own keep-flags, its tag and the HDA as host", () => {
    // `gone` was uninstalled but has snapshots, `secret` is left out: both keep what the plan keeps.
    const planKeeps = ['--keep-daily', '7', '--keep-weekly', '4', '--keep-monthly', '6'];
    expect(forgetPolicies(PLAN, [...IDS, 'gone', 'hello'], HDA, appTag).map(forgetArgs)).toEqual([
      ['forget', ...planKeeps, '--tag', 'app=hello', '--host', HDA],
      ['forget', '--keep-daily', '2', '--keep-yearly', '1', '--tag', 'app=notes', '--host', HDA],
      ['forget', ...planKeeps, '--tag', 'app=secret', '--host', HDA],
      ['forget', ...planKeeps, '--tag', 'app=gone', '--host', HDA],
    ]);
  });
});

describe('install backup input', () => {
  it('own needs its schedule and retention; plan and excluded take neither', () => {
    expect(InstallBackup.safeParse({ mode: 'plan' }).success).toBe(true);
    expect(InstallBackup.safeParse({ mode: 'own', every_hours: 6, retention: { daily: 1 } }).success).toBe(true);
    const paths = (v: unknown) => InstallBackup.safeParse(v).error?.issues.map((i) => i.path.join('.'));
    expect(paths({ mode: 'own' })).toEqual(['every_hours', 'retention']);
    expect(paths({ mode: 'excluded', retention: { daily: 1 } })).toEqual(['retention']);
    expect(paths({ mode: 'own', every_hours: 6, retention: { daily: 1 }, repository: 'x' })).toEqual(['']);
  });
});
