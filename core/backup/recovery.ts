/**
 * The recovery key and the facts about backup secrets the browser needs too (no zod here: this module
 * is in the browser bundle). The zod schemas that check them are in ./plan.
 */

/** restic repository kinds an owner may name; credentials never in the address (they go in `env`). */
export const REPOSITORY_PATTERN = /^(rest:https?:\/\/|sftp:|s3:|b2:|azure:|gs:|rclone:)[^\s]+$/;
export const MIN_PASSWORD = 12;

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

export interface BackupSecretsShape {
  repository: string;
  password: string;
  env?: Partial<Record<(typeof BACKEND_ENV)[number], string>>;
}

/** The recovery key as printed: the secrets, base64url of their JSON, with a fixed prefix. */
export const RECOVERY_PREFIX = 'hda-recovery-1.';

export function recoveryKeyOf(secrets: BackupSecretsShape): string {
  const json = new TextEncoder().encode(JSON.stringify(secrets));
  let s = '';
  for (const b of json) s += String.fromCharCode(b);
  return RECOVERY_PREFIX + btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The JSON inside a recovery key (check it with BackupSecrets before use). */
export function decodeRecoveryKey(key: string): unknown {
  const t = key.trim();
  if (!t.startsWith(RECOVERY_PREFIX)) throw new Error(`not a recovery key (it starts with ${RECOVERY_PREFIX})`);
  const b64 = t.slice(RECOVERY_PREFIX.length).replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
}
