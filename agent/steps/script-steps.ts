/**
 * Carries out the supported steps of a legacy install script on the host, confined to the app
 * folder: amahi-download (fetch, check the SHA-1, write atomically), chmod and mkdir. Paths are
 * re-validated here (the content is signed, but this is the last line of defence, running as root),
 * every existing component is checked so a symlink cannot lead outside the app folder, and chmod goes
 * through an O_NOFOLLOW descriptor so a link swapped in afterwards is not followed either.
 * Unsupported steps throw with their line: a version that has them needs review, not a best effort.
 */
import { createHash } from 'node:crypto';
import {
  constants,
  closeSync,
  existsSync,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { ScriptStep } from '../../core/protocol';
import { appRelativePath } from '../../core/catalog/paths';
import { writeFileAtomic } from '../fs-atomic';

export interface ScriptStepOptions {
  /** Where `amahi-download NAME SHA1` fetches NAME from (Amahi used dl.amahi.org). */
  downloadBaseUrl?: string;
  fetch?: typeof fetch;
  log: (status: 'OK' | 'Warning' | 'Error', message: string) => void;
  /** Rendered contents of the non-compose files the script writes; when absent, write-file steps are left to the caller. */
  files?: Record<string, string>;
  /** Largest download accepted, in bytes (default 512 MiB). */
  maxDownloadBytes?: number;
}

export class ScriptStepError extends Error {
  constructor(
    readonly step: ScriptStep,
    reason: string,
  ) {
    super(`line ${step.line} (${step.kind}): ${reason}: ${step.text.split('\n')[0]}`);
    this.name = 'ScriptStepError';
  }
}

export async function runScriptSteps(steps: ScriptStep[], appDir: string, opts: ScriptStepOptions): Promise<void> {
  mkdirSync(appDir, { recursive: true });
  const root = realpathSync(appDir);
  for (const step of steps) {
    const args = (step.args ?? {}) as Record<string, unknown>;
    switch (step.kind) {
      case 'compose-up':
      case 'compose-down':
        opts.log('OK', `line ${step.line}: ${step.kind} is done by the agent itself`);
        break;
      case 'write-file': {
        const rel = relPath(step, args.path);
        if (args.compose) {
          opts.log('OK', `line ${step.line}: ${rel} is the compose file, written rendered by the agent`);
          break;
        }
        if (!opts.files) {
          opts.log('OK', `line ${step.line}: ${rel} is written with the app folder`);
          break;
        }
        const content = opts.files[rel];
        if (content === undefined) throw new ScriptStepError(step, `no content for ${rel}`);
        const target = confined(step, root, rel);
        ensureDirs(step, root, rel.split('/').slice(0, -1));
        const existing = args.append && existsSync(target) ? readFileSync(target, 'utf8') : '';
        writeFileAtomic(target, existing + content);
        opts.log('OK', `line ${step.line}: wrote ${rel}`);
        break;
      }
      case 'mkdir':
        for (const p of asPaths(step, args.paths)) {
          ensureDirs(step, root, p.split('/'));
          opts.log('OK', `line ${step.line}: folder ${p}`);
        }
        break;
      case 'chmod': {
        const mode = args.mode;
        if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o1777)
          throw new ScriptStepError(step, `mode ${String(mode)} is not allowed`);
        for (const p of asPaths(step, args.paths)) {
          const target = confined(step, root, p);
          if (!existsSync(target)) {
            opts.log('Warning', `line ${step.line}: ${p} does not exist; chmod skipped (as bash would fail and carry on)`);
            continue;
          }
          const n = chmodNoFollow(step, target, mode, args.recursive === true);
          opts.log('OK', `line ${step.line}: chmod ${mode.toString(8)} ${p}${args.recursive ? ` (${n} entries)` : ''}`);
        }
        break;
      }
      case 'download':
        await download(step, root, args, opts);
        break;
      default:
        throw new ScriptStepError(step, 'is not a supported step; the app version needs review');
    }
  }
}

function relPath(step: ScriptStep, p: unknown): string {
  if (typeof p !== 'string') throw new ScriptStepError(step, 'names no path');
  const rel = appRelativePath(p);
  if ('error' in rel) throw new ScriptStepError(step, rel.error);
  return rel.path;
}

function asPaths(step: ScriptStep, v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0) throw new ScriptStepError(step, 'names no path');
  return v.map((p) => relPath(step, p));
}

/** The absolute path of `rel` under `root`, refusing any existing component that leads outside it. */
function confined(step: ScriptStep, root: string, rel: string): string {
  const target = rel === '.' ? root : resolve(root, rel);
  if (target !== root && !target.startsWith(root + sep)) throw new ScriptStepError(step, `${rel} is outside the app folder`);
  let cur = root;
  for (const seg of rel === '.' ? [] : rel.split('/')) {
    cur = join(cur, seg);
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(cur);
    } catch {
      break;
    }
    if (st.isSymbolicLink()) {
      const real = realpathSync(cur);
      if (real !== root && !real.startsWith(root + sep)) throw new ScriptStepError(step, `${rel} goes through a symlink that leads outside the app folder`);
    }
  }
  return target;
}

function ensureDirs(step: ScriptStep, root: string, segs: string[]): void {
  let rel = '';
  for (const seg of segs.filter((s) => s && s !== '.')) {
    rel = rel ? `${rel}/${seg}` : seg;
    const p = confined(step, root, rel);
    if (!existsSync(p)) mkdirSync(p);
    else if (!statSync(p).isDirectory()) throw new ScriptStepError(step, `${rel} exists and is not a folder`);
  }
}

/** chmod through an O_NOFOLLOW descriptor; recursion never follows symlinks. Returns entries changed. */
function chmodNoFollow(step: ScriptStep, path: string, mode: number, recursive: boolean): number {
  // Only files and folders: opening a device or socket a container left in the folder could have effects.
  const kind = lstatSync(path);
  if (!kind.isFile() && !kind.isDirectory() && !kind.isSymbolicLink()) return 0;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') {
      // A symlink named on the command line: chmod acts on its target, which confined() kept inside.
      return chmodNoFollow(step, realpathSync(path), mode, recursive);
    }
    throw new ScriptStepError(step, `cannot open ${path}: ${(e as Error).message}`);
  }
  let count = 1;
  try {
    const st = fstatSync(fd);
    fchmodSync(fd, mode);
    if (recursive && st.isDirectory()) {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        if (!entry.isFile() && !entry.isDirectory()) continue;
        count += chmodNoFollow(step, join(path, entry.name), mode, true);
      }
    }
  } finally {
    closeSync(fd);
  }
  return count;
}

async function download(step: ScriptStep, root: string, args: Record<string, unknown>, opts: ScriptStepOptions): Promise<void> {
  const file = relPath(step, args.file);
  if (file.includes('/')) throw new ScriptStepError(step, `${file} is not a plain file name`);
  const sha1 = String(args.sha1 ?? '').toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(sha1)) throw new ScriptStepError(step, 'has no valid SHA-1');
  const target = confined(step, root, file);
  if (existsSync(target) && lstatSync(target).isFile() && sha1Hex(readFileSync(target)) === sha1) {
    opts.log('OK', `line ${step.line}: ${file} already present with the expected SHA-1`);
    return;
  }
  const url = typeof args.url === 'string' ? args.url : opts.downloadBaseUrl ? `${opts.downloadBaseUrl.replace(/\/+$/, '')}/${encodeURIComponent(file)}` : null;
  if (!url) throw new ScriptStepError(step, 'no download location is configured (downloadBaseUrl)');
  const doFetch = opts.fetch ?? fetch;
  const res = await doFetch(url);
  if (!res.ok) throw new ScriptStepError(step, `download of ${file} failed: HTTP ${res.status}`);
  const limit = opts.maxDownloadBytes ?? 512 * 1024 * 1024;
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > limit) throw new ScriptStepError(step, `${file} is ${declared} bytes, over the ${limit}-byte limit`);
  const body = new Uint8Array(await res.arrayBuffer());
  if (body.byteLength > limit) throw new ScriptStepError(step, `${file} is over the ${limit}-byte limit`);
  const got = sha1Hex(body);
  if (got !== sha1) throw new ScriptStepError(step, `SHA-1 of ${file} is ${got}, expected ${sha1}; nothing written`);
  writeFileAtomic(target, body);
  opts.log('OK', `line ${step.line}: downloaded ${file} (${body.byteLength} bytes, SHA-1 verified)`);
}

function sha1Hex(data: Uint8Array): string {
  return createHash('sha1').update(data).digest('hex');
}
