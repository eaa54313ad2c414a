/**
 * The apps this agent installed, one record per identifier in <state>/installs. The heartbeat reports
 * these; uninstall and start/stop only act on an identifier found here or on containers that carry
 * the agent's label, so the agent never touches a compose project it did not create.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hostnameProblem } from '../core/catalog/placeholders';
import { writeJsonAtomic } from './fs-atomic';

export interface InstallRecord {
  identifier: string;
  install_id: string;
  hostname: string;
  host_port: number;
  domain: string;
  app: string;
  version: string;
  app_dir: string;
  /** What the owner asked for last: the heartbeat reports drift from it. */
  desired: 'running' | 'stopped';
  /**
   * Which compose project serves the app: slot `a` is the project named like the install on the
   * install's host port; slot `b` is the second project a blue/green update started, on `live_port`.
   */
  slot?: 'a' | 'b';
  live_port?: number;
  /** Image reference -> local image id of the running deployment, and of the one before it (the rollback target). */
  images?: Record<string, string>;
  previous_images?: Record<string, string>;
  /** The last deployments' images, by version, so a rollback runs the same bytes even if a tag moved. */
  history?: DeployedImages[];
  updated_at: string;
}

export interface DeployedImages {
  version: string;
  /** Image reference -> pin: the local image id and, when pulled from a registry, its repo digest. */
  images: Record<string, ImagePin>;
  at: string;
}

export interface ImagePin {
  id: string;
  digest?: string;
}

/** How many deployments' images an install remembers for rollbacks. */
export const HISTORY_KEEP = 5;

export class InstallRegistry {
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'installs');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private file(identifier: string): string {
    const p = hostnameProblem(identifier, true);
    if (p) throw new Error(`identifier ${JSON.stringify(identifier)} ${p}`);
    return join(this.dir, `${identifier}.json`);
  }

  get(identifier: string): InstallRecord | undefined {
    const f = this.file(identifier);
    if (!existsSync(f)) return undefined;
    return JSON.parse(readFileSync(f, 'utf8')) as InstallRecord;
  }

  put(rec: Omit<InstallRecord, 'updated_at'>): void {
    writeJsonAtomic(this.file(rec.identifier), { ...rec, updated_at: new Date().toISOString() }, 0o600);
  }

  setDesired(identifier: string, desired: InstallRecord['desired']): void {
    const rec = this.get(identifier);
    if (rec) this.put({ ...rec, desired });
  }

  /** Changes some fields of an existing record (nothing happens when there is none). */
  patch(identifier: string, fields: Partial<Omit<InstallRecord, 'identifier' | 'updated_at'>>): void {
    const rec = this.get(identifier);
    if (rec) this.put({ ...rec, ...fields });
  }

  /**
   * A deployment of `version` succeeded with these images: they become the current ones; the
   * current ones become the previous ones when they differ; the version's pins join the history.
   */
  recordDeployment(identifier: string, version: string, pins: Record<string, ImagePin>): void {
    const rec = this.get(identifier);
    if (!rec) return;
    const images = Object.fromEntries(Object.entries(pins).map(([ref, p]) => [ref, p.id]));
    const same = JSON.stringify(images) === JSON.stringify(rec.images ?? {});
    const history = [{ version, images: pins, at: new Date().toISOString() }, ...(rec.history ?? []).filter((h) => h.version !== version)].slice(
      0,
      HISTORY_KEEP,
    );
    this.put({ ...rec, images, previous_images: same ? rec.previous_images : (rec.images ?? rec.previous_images), history });
  }

  remove(identifier: string): void {
    rmSync(this.file(identifier), { force: true });
  }

  list(): InstallRecord[] {
    return readdirSync(this.dir)
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .map((n) => {
        try {
          return JSON.parse(readFileSync(join(this.dir, n), 'utf8')) as InstallRecord;
        } catch {
          return null;
        }
      })
      .filter((r): r is InstallRecord => r !== null);
  }
}
