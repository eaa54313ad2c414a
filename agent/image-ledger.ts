/**
 * The images this agent pulled for its installs, in <state>/images.json: image id -> the references
 * it was pulled under. Cleanup and prune only ever consider these, so images other software keeps
 * on the host (or an admin provided for an offline HDA) are never touched.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from './fs-atomic';

export interface LedgerEntry {
  refs: string[];
  first_used: string;
}

export class ImageLedger {
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = join(stateDir, 'images.json');
  }

  all(): Record<string, LedgerEntry> {
    if (!existsSync(this.file)) return {};
    try {
      const v = JSON.parse(readFileSync(this.file, 'utf8')) as { images?: Record<string, LedgerEntry> };
      return v.images ?? {};
    } catch {
      return {};
    }
  }

  private save(images: Record<string, LedgerEntry>): void {
    writeJsonAtomic(this.file, { images }, 0o600);
  }

  add(id: string, ref: string): void {
    const images = this.all();
    const e = images[id] ?? { refs: [], first_used: new Date().toISOString() };
    if (!e.refs.includes(ref)) e.refs.push(ref);
    images[id] = e;
    this.save(images);
  }

  forget(id: string): void {
    const images = this.all();
    if (!(id in images)) return;
    delete images[id];
    this.save(images);
  }
}
