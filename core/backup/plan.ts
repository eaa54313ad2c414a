/**
 * An HDA's off-HDA backup plan. What the control plane may hold in plain text (schedule, retention, a
 * label naming the repository) and what only the agent may read (`BackupSecrets`, inside a SealedBox).
 */
import { z } from 'zod';
import { BACKEND_ENV, decodeRecoveryKey, MIN_PASSWORD, REPOSITORY_PATTERN } from './recovery';
import { SealedBoxSchema } from './schemas';

export { BACKEND_ENV, recoveryKeyOf } from './recovery';

/** restic forget --keep-*: how many of each period's newest snapshot stay. */
export const Retention = z
  .strictObject({
    daily: z.number().int().min(0).max(3650).optional(),
    weekly: z.number().int().min(0).max(520).optional(),
    monthly: z.number().int().min(0).max(240).optional(),
    yearly: z.number().int().min(0).max(100).optional(),
  })
  .refine((r) => Object.values(r).some((n) => (n ?? 0) > 0), 'must keep something: daily, weekly, monthly or yearly above 0');
export type Retention = z.infer<typeof Retention>;

/** A repository as restic names it, without credentials in it (those go in `env`). */
export const RepositoryUrl = z
  .string()
  .min(3)
  .max(500)
  .regex(REPOSITORY_PATTERN, 'must be a restic repository: rest:http(s)://..., sftp:..., s3:..., b2:..., azure:..., gs:... or rclone:...')
  .refine((u) => !/^rest:https?:\/\/[^/]*@/.test(u), 'put credentials in the credentials field, not in the address');

/** What the browser seals to the agent; also the recovery key's content. */
export const BackupSecrets = z.strictObject({
  repository: RepositoryUrl,
  password: z.string().min(MIN_PASSWORD, `the repository password must be at least ${MIN_PASSWORD} characters`).max(1000),
  env: z.partialRecord(z.enum(BACKEND_ENV), z.string().max(4000)).optional(),
});
export type BackupSecrets = z.infer<typeof BackupSecrets>;

export const BackupPlanInput = z
  .strictObject({
    /** Shown in the UI and in errors: the repository's address without credentials. */
    repository_label: z.string().min(1).max(200),
    every_hours: z
      .number()
      .int()
      .min(1)
      .max(24 * 7),
    retention: Retention,
    sealed: SealedBoxSchema,
  })
  .meta({ id: 'BackupPlan' });
export type BackupPlanInput = z.infer<typeof BackupPlanInput>;
/** The plan as the control plane keeps it. */
export type StoredBackupPlan = BackupPlanInput & { updated_at: string };

export function secretsOfRecoveryKey(key: string): BackupSecrets {
  return BackupSecrets.parse(decodeRecoveryKey(key));
}
