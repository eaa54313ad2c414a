/**
 * Compose volume entries reduced to what the policy checks: which host path a bind mount exposes,
 * resolved against the app folder, and whether it is read-only.
 */
import { isWithin, normalizePosix } from './paths';

export interface Mount {
  index: number;
  kind: 'bind' | 'volume' | 'tmpfs' | 'invalid';
  /** The host path as written (binds only). */
  source?: string;
  readOnly: boolean;
  reason?: string;
}

/** Stands for the app folder at publish time, when no real folder exists yet. */
export const VIRTUAL_APP_DIR = '/@app-folder';

export function serviceMounts(service: Record<string, unknown>): Mount[] {
  const vols = service.volumes;
  if (vols === undefined || vols === null) return [];
  if (!Array.isArray(vols)) return [{ index: 0, kind: 'invalid', readOnly: false, reason: '"volumes" must be a list' }];
  return vols.map((v, index) => parseMount(v, index));
}

function isPathLike(s: string): boolean {
  return s.startsWith('/') || s.startsWith('.') || s.startsWith('~') || s.startsWith('WEBAPP_PATH') || s.includes('$');
}

export function parseMount(v: unknown, index: number): Mount {
  if (typeof v === 'string') {
    const parts = v.split(':');
    if (parts.length === 1) return { index, kind: 'volume', readOnly: false };
    const [source, , mode = ''] = parts;
    const readOnly = mode.split(',').includes('ro');
    if (parts.length > 3) return { index, kind: 'invalid', readOnly, reason: `volume "${v}" has too many ":"` };
    return isPathLike(source) ? { index, kind: 'bind', source, readOnly } : { index, kind: 'volume', readOnly };
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const m = v as Record<string, unknown>;
    const source = typeof m.source === 'string' ? m.source : undefined;
    const readOnly = m.read_only === true;
    const type = typeof m.type === 'string' ? m.type : source && isPathLike(source) ? 'bind' : 'volume';
    if (type === 'tmpfs') return { index, kind: 'tmpfs', readOnly };
    if (type === 'volume' && !(source && isPathLike(source))) return { index, kind: 'volume', readOnly };
    if (!source) return { index, kind: 'invalid', readOnly, reason: `a ${type} mount needs a "source"` };
    return { index, kind: 'bind', source, readOnly };
  }
  return { index, kind: 'invalid', readOnly: false, reason: 'a volume entry must be a string or a mapping' };
}

/**
 * The absolute host path a compose path stands for: `./x` and `WEBAPP_PATH/x` resolve into the app
 * folder; null when it cannot be known before run time (`$VAR`, `~`).
 */
export function resolveHostPath(source: string, appDir: string): string | null {
  if (source.includes('$') || source.startsWith('~')) return null;
  if (source === 'WEBAPP_PATH' || source.startsWith('WEBAPP_PATH/')) return normalizePosix(appDir + source.slice('WEBAPP_PATH'.length));
  if (source.startsWith('/')) return normalizePosix(source);
  return normalizePosix(`${appDir}/${source}`);
}

export function insideApp(source: string, appDir: string): boolean {
  const p = resolveHostPath(source, appDir);
  return p !== null && isWithin(p, appDir);
}

const SOCKETS = ['/var/run/docker.sock', '/run/docker.sock'];

/** 'socket' when the path is the Docker socket, 'ancestor' when it is a folder that contains it. */
export function dockerSocketExposure(path: string): 'socket' | 'ancestor' | null {
  if (SOCKETS.includes(path) || path.endsWith('/docker.sock')) return 'socket';
  if (SOCKETS.some((s) => isWithin(s, path))) return 'ancestor';
  return null;
}
