/**
 * The agent's hands on Apache: its own vhost files (hda-app-<identifier>.conf) in the sites dir, the
 * config test and the graceful reload (argv from config). A vhost is replaced so that a failed config
 * test puts the previous file back (or removes the new one): no other app goes down because of it.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, tailLines } from '../exec';
import { writeFileAtomic } from '../fs-atomic';
import { vhostFileName } from './vhost';

export class ApacheError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApacheError';
  }
}

export interface ApacheOptions {
  sitesDir: string;
  configtest: string[];
  reload: string[];
  /** Where the previous version of a vhost is kept until the new one passed the config test. */
  backupDir: string;
  /** The agent's namespace (several agents sharing one Apache): part of each vhost file name. */
  namespace?: string;
}

export type VhostWrite = 'created' | 'updated' | 'unchanged';

export class ApacheControl {
  constructor(private readonly o: ApacheOptions) {}

  vhostPath(identifier: string): string {
    return join(this.o.sitesDir, vhostFileName(identifier, this.o.namespace));
  }

  private backupPath(identifier: string): string {
    return join(this.o.backupDir, vhostFileName(identifier, this.o.namespace));
  }

  private markerPath(identifier: string): string {
    return join(this.o.backupDir, `${vhostFileName(identifier, this.o.namespace)}.new`);
  }

  readVhost(identifier: string): string | null {
    const p = this.vhostPath(identifier);
    return existsSync(p) ? readFileSync(p, 'utf8') : null;
  }

  /**
   * Writes the vhost, remembering what was there before (a copy, or a marker saying "there was
   * none") until commit() or rollback(). Unchanged content is left alone.
   */
  writeVhost(identifier: string, content: string): VhostWrite {
    const current = this.readVhost(identifier);
    if (current === content) return 'unchanged';
    mkdirSync(this.o.backupDir, { recursive: true, mode: 0o700 });
    if (current === null) {
      writeFileAtomic(this.markerPath(identifier), '');
      rmSync(this.backupPath(identifier), { force: true });
    } else {
      copyFileSync(this.vhostPath(identifier), this.backupPath(identifier));
      rmSync(this.markerPath(identifier), { force: true });
    }
    writeFileAtomic(this.vhostPath(identifier), content, 0o644);
    return current === null ? 'created' : 'updated';
  }

  /** True when a vhost change awaits its config test (a re-run after a crash sees this too). */
  hasPendingChange(identifier: string): boolean {
    return existsSync(this.backupPath(identifier)) || existsSync(this.markerPath(identifier));
  }

  /** The new vhost passed: forget the previous one. */
  commit(identifier: string): void {
    rmSync(this.backupPath(identifier), { force: true });
    rmSync(this.markerPath(identifier), { force: true });
  }

  /** The new vhost failed: put the previous file back, or remove the new one if there was none. */
  rollback(identifier: string): 'restored' | 'removed' | 'nothing' {
    if (existsSync(this.backupPath(identifier))) {
      writeFileAtomic(this.vhostPath(identifier), readFileSync(this.backupPath(identifier)), 0o644);
      this.commit(identifier);
      return 'restored';
    }
    if (existsSync(this.markerPath(identifier))) {
      rmSync(this.vhostPath(identifier), { force: true });
      this.commit(identifier);
      return 'removed';
    }
    return 'nothing';
  }

  /** Removes the app's vhost; true when there was one. */
  removeVhost(identifier: string): boolean {
    const p = this.vhostPath(identifier);
    const had = existsSync(p);
    rmSync(p, { force: true });
    this.commit(identifier);
    return had;
  }

  async configtest(): Promise<{ ok: boolean; output: string }> {
    const r = await runCommand(this.o.configtest, { timeoutMs: 60_000 });
    if (r.notFound) throw new ApacheError(`cannot run ${this.o.configtest[0]}: ${r.stderr}`);
    const output = `${r.stdout}\n${r.stderr}`.trim();
    return { ok: r.code === 0, output };
  }

  async reload(): Promise<void> {
    const r = await runCommand(this.o.reload, { timeoutMs: 60_000 });
    if (r.code !== 0) throw new ApacheError(`graceful reload failed: ${tailLines(r.stderr || r.stdout, 3) || `exit ${r.code}`}`);
  }

  async version(): Promise<string | null> {
    const bin = this.o.configtest[0];
    const r = await runCommand([bin, '-v'], { timeoutMs: 10_000 });
    const m = /Apache\/([\d.]+)/.exec(r.stdout);
    return m ? m[1] : null;
  }
}
