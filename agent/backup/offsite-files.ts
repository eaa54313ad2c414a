/**
 * Where the off-HDA backup's settings and health live in the state dir, read without the schemas (the
 * heartbeat and the schedule read them on an idle agent, which loads no validation code).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstallBackups } from '../../core/backup/install-backup';
import type { Retention } from '../../core/backup/plan';
import type { BackupSecretsShape } from '../../core/backup/recovery';
import type { BackupHealth } from '../../core/protocol';
import { writeJsonAtomic } from '../fs-atomic';

export interface OffsitePlan {
  repository_label: string;
  every_hours: number;
  retention: Retention;
  /** The installs that differ from the plan, by identifier. */
  apps?: InstallBackups;
}

export interface StoredOffsite extends OffsitePlan {
  secrets: BackupSecretsShape;
}

export const backupDir = (stateDir: string) => join(stateDir, 'backup');
export const planFile = (stateDir: string) => join(backupDir(stateDir), 'offsite.json');
const healthFile = (stateDir: string) => join(backupDir(stateDir), 'offsite-health.json');

export function loadOffsite(stateDir: string): StoredOffsite | null {
  const f = planFile(stateDir);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as StoredOffsite) : null;
}

export function loadHealth(stateDir: string): BackupHealth | null {
  const f = healthFile(stateDir);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as BackupHealth) : null;
}

export function saveHealth(stateDir: string, h: BackupHealth): void {
  writeJsonAtomic(healthFile(stateDir), h, 0o600);
}
