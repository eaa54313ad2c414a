/**
 * Runs the off-HDA backup when its time comes, on the HDA itself (a control plane out of reach never
 * stops a backup). Checks once a minute; the time of the next run is in the recorded health, so a
 * restart neither skips a run nor runs one twice in a row.
 */
import type { HeartbeatInput } from '../../core/protocol';
import type { InstallRegistry } from '../installs';
import type { Logger } from '../log';
import type Docker from 'dockerode';
import { loadOrCreateHdaKey } from './hda-key';
import { loadHealth, loadOffsite } from './offsite-files';

export interface ScheduleOptions {
  stateDir: string;
  appsRoot: string;
  hdaId: string;
  /** The agent's namespace (part of each install's compose project). */
  namespace: string;
  docker: () => Promise<Docker>;
  installs: InstallRegistry;
  log: Logger;
  /** After a run: send a heartbeat so the health shows at once. */
  onRun?: () => void;
  now?: () => number;
}

/** True when a plan exists and its next run is due (or it never ran). */
export function backupDue(stateDir: string, now: number): boolean {
  if (!loadOffsite(stateDir)) return false;
  const next = loadHealth(stateDir)?.next_run_at;
  return !next || Date.parse(next) <= now;
}

export class BackupSchedule {
  private timer: NodeJS.Timeout | null = null;
  private busy = false;

  constructor(private readonly o: ScheduleOptions) {}

  start(checkEveryMs = 60_000): void {
    this.timer = setInterval(() => void this.tick(), checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async tick(): Promise<void> {
    if (this.busy || !backupDue(this.o.stateDir, (this.o.now ?? Date.now)())) return;
    this.busy = true;
    try {
      // restic's driver and the schemas load only when a backup runs.
      const { runOffsiteBackup } = await import('./offsite');
      const { offsiteApps } = await import('./offsite-app');
      const apps = offsiteApps(this.o.installs, this.o.appsRoot, this.o.namespace);
      await runOffsiteBackup(this.o.stateDir, { hdaId: this.o.hdaId, apps, docker: await this.o.docker(), now: this.o.now, onlyDue: true });
      this.o.log.info('off-HDA backup done');
    } catch (e) {
      this.o.log.warn('off-HDA backup failed', { reason: (e as Error).message });
    } finally {
      this.busy = false;
      this.o.onRun?.();
    }
  }
}

/** What the heartbeat adds: the key to seal backup secrets to, and the backup's health once set up. */
export async function backupHeartbeat(stateDir: string): Promise<Partial<HeartbeatInput>> {
  const key = await loadOrCreateHdaKey(stateDir);
  const health = loadHealth(stateDir);
  return { backup_key: key.publicJwk, ...(health ? { backup: health } : {}) };
}
