/**
 * What enrollment leaves in the state dir: the control plane URL and HDA identity (agent.json), the
 * agent token (token, mode 0600, never logged) and the catalog keys pinned at enrollment (keys.json).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EnrollResponse } from '../core/protocol';
import { writeFileAtomic, writeJsonAtomic } from './fs-atomic';

export interface Enrollment {
  server: string;
  hda_id: string;
  domain: string;
  name: string;
  enrolled_at: string;
}

export interface Jwks {
  keys: Array<Record<string, unknown>>;
}

export class StateDir {
  constructor(readonly dir: string) {}

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  ensure(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
  }

  isEnrolled(): boolean {
    return existsSync(this.path('agent.json')) && existsSync(this.path('token'));
  }

  saveEnrollment(server: string, res: EnrollResponse): Enrollment {
    this.ensure();
    const enrollment: Enrollment = {
      server,
      hda_id: res.hda_id,
      domain: res.domain,
      name: res.name,
      enrolled_at: new Date().toISOString(),
    };
    writeFileAtomic(this.path('token'), `${res.token}\n`, 0o600);
    chmodSync(this.path('token'), 0o600);
    writeJsonAtomic(this.path('keys.json'), res.keys ?? { keys: [] }, 0o644);
    writeJsonAtomic(this.path('agent.json'), enrollment, 0o644);
    return enrollment;
  }

  enrollment(): Enrollment {
    if (!this.isEnrolled()) throw new Error(`not enrolled: no agent.json/token in ${this.dir} (run "hda-agent enroll" first)`);
    return JSON.parse(readFileSync(this.path('agent.json'), 'utf8')) as Enrollment;
  }

  /** The agent token; refuses a token file others can read. */
  token(): string {
    const file = this.path('token');
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) throw new Error(`${file} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
    return readFileSync(file, 'utf8').trim();
  }

  savePinnedKeys(jwks: Jwks): void {
    writeJsonAtomic(this.path('keys.json'), jwks, 0o644);
  }

  pinnedKeys(): Jwks {
    const file = this.path('keys.json');
    if (!existsSync(file)) return { keys: [] };
    return JSON.parse(readFileSync(file, 'utf8')) as Jwks;
  }
}
