/** The upkeep periods a deployment sets: whole numbers of 1 or more, by name; unset ones keep defaults. */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../worker/context';
import { UPKEEP_SETTINGS, UpkeepSettingInvalid, upkeepSettings } from '../../worker/jobs/upkeep-settings';

describe('upkeep settings', () => {
  it('reads the ones that are set into their Config fields', () => {
    const env: Record<string, string> = { TASK_RETENTION_DAYS: '7', OFFLINE_TASK_GRACE_MINUTES: '5', METRICS_RETENTION_DAYS: '' };
    expect(upkeepSettings((name) => env[name])).toEqual({ taskRetentionDays: 7, offlineTaskGraceMinutes: 5 });
  });

  it('refuses a value that is not a whole number of 1 or more, naming the setting', () => {
    for (const value of ['0', '-3', '2.5', 'a week', '1e3x']) {
      const read = (name: string) => (name === 'AUDIT_RETENTION_DAYS' ? value : undefined);
      expect(() => upkeepSettings(read)).toThrow(UpkeepSettingInvalid);
      expect(() => upkeepSettings(read)).toThrow(/AUDIT_RETENTION_DAYS/);
    }
  });

  it('has a default for every setting', () => {
    for (const key of Object.values(UPKEEP_SETTINGS)) expect(defaultConfig[key]).toBeGreaterThan(0);
  });
});
