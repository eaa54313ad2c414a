/**
 * The upkeep periods a deployment may set, by environment variable (Node) or Worker variable, and the
 * Config field each one fills. The README's "Upkeep" table states the defaults (context.ts).
 */
import type { Config } from '../context';

export const UPKEEP_SETTINGS = {
  AUDIT_RETENTION_DAYS: 'auditRetentionDays',
  TASK_RETENTION_DAYS: 'taskRetentionDays',
  METRICS_RETENTION_DAYS: 'metricsRetentionDays',
  BATCH_START_DEADLINE_HOURS: 'batchStartDeadlineHours',
  OFFLINE_TASK_GRACE_MINUTES: 'offlineTaskGraceMinutes',
} as const satisfies Record<string, keyof Config>;

export type UpkeepSettingName = keyof typeof UPKEEP_SETTINGS;
type UpkeepConfig = Pick<Config, (typeof UPKEEP_SETTINGS)[UpkeepSettingName]>;

export class UpkeepSettingInvalid extends Error {
  constructor(readonly setting: UpkeepSettingName) {
    super(`${setting} must be a whole number, 1 or more`);
  }
}

/** The periods that are set (whole numbers, 1 or more); unset ones keep their defaults. */
export function upkeepSettings(read: (name: UpkeepSettingName) => string | undefined): Partial<UpkeepConfig> {
  const out: Partial<UpkeepConfig> = {};
  for (const [name, key] of Object.entries(UPKEEP_SETTINGS) as Array<[UpkeepSettingName, keyof UpkeepConfig]>) {
    const text = read(name);
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1) throw new UpkeepSettingInvalid(name);
    out[key] = value;
  }
  return out;
}
