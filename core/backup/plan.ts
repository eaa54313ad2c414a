/**
 * An HDA's off-HDA backup plan. What the control plane may hold in plain text (schedule, retention, a
 * label naming the repository) and what only the agent may read (`BackupSecrets`, inside a SealedBox).
 */
import { z } from 'zod';
import { SealedBox } from './seal';

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
  .regex(
    /^(rest:https?:\/\/|sftp:|s3:|b2:|azure:|gs:|rclone:)[^\s]+$/,
    'must be a restic repository: rest:http(s)://..., sftp:..., s3:..., b2:..., azure:..., gs:... or rclone:...',
  )
  .refine((u) => !/^rest:https?:\/\/[^/]*@/.test(u), 'put credentials in the credentials field, not in the address');

/** Environment names restic's backends read credentials from: an allow-list. */
export const BACKEND_ENV = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_DEFAULT_REGION',
  'AWS_SESSION_TOKEN',
  'B2_ACCOUNT_ID',
  'B2_ACCOUNT_KEY',
  'AZURE_ACCOUNT_NAME',
  'AZURE_ACCOUNT_KEY',
  'GOOGLE_PROJECT_ID',
  'GOOGLE_APPLICATION_CREDENTIALS',
] as const;

/** What the browser seals to the agent; also the recovery key's content. */
export const BackupSecrets = z.strictObject({
  repository: RepositoryUrl,
  password: z.string().min(12, 'the repository password must be at least 12 characters').max(1000),
  env: z.partialRecord(z.enum(BACKEND_ENV), z.string().max(4000)).optional(),
});
export type BackupSecrets = z.infer<typeof BackupSecrets>;

export const BackupPlanInput = z.strictObject({
  /** Shown in the UI and in errors: the repository's address without credentials. */
  repository_label: z.string().min(1).max(200),
  every_hours: z
    .number()
    .int()
    .min(1)
    .max(24 * 7),
  retention: Retention,
  sealed: SealedBox,
});
export type BackupPlanInput = z.infer<typeof BackupPlanInput>;

/** The recovery key as printed: the secrets, base64url of their JSON, with a fixed prefix. */
export const RECOVERY_PREFIX = 'hda-recovery-1.';

export function recoveryKeyOf(secrets: BackupSecrets): string {
  const json = new TextEncoder().encode(JSON.stringify(secrets));
  let s = '';
  for (const b of json) s += String.fromCharCode(b);
  return RECOVERY_PREFIX + btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function secretsOfRecoveryKey(key: string): BackupSecrets {
  const t = key.trim();
  if (!t.startsWith(RECOVERY_PREFIX)) throw new Error('not a recovery key (it starts with hda-recovery-1.)');
  const b64 = t.slice(RECOVERY_PREFIX.length).replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return BackupSecrets.parse(JSON.parse(new TextDecoder().decode(bytes)));
}
