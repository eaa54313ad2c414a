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
  updated_at: string;
}

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
