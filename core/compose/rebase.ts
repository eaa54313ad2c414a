/**
 * Relative paths in a file Compose reads from a sub-folder are relative to that folder; moved into the
 * one compose at the app folder's top, they are rewritten to say the same place from there.
 */
import { normalizePosix } from '../catalog/paths';
import { isMap, type ComposeMap } from './sources';

/** `p` (relative to `dir`) relative to the app folder, in the `./x` form Compose reads as a path. */
export function rebasePath(p: string, dir: string): string {
  if (dir === '.' || p.startsWith('/') || p.startsWith('~')) return p;
  const joined = normalizePosix(`${dir}/${p}`);
  return joined.startsWith('..') ? joined : `./${joined}`;
}

const isRemote = (s: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || s.startsWith('git@');

function rebaseBuild(build: unknown, dir: string): unknown {
  if (typeof build === 'string') return isRemote(build) ? build : rebasePath(build, dir);
  if (!isMap(build) || typeof build.context !== 'string' || isRemote(build.context)) return build;
  return { ...build, context: rebasePath(build.context, dir) };
}

/** A volume's host side is a path when it starts with `.`, `/` or `~`; anything else names a volume. */
function rebaseVolume(v: unknown, dir: string): unknown {
  if (typeof v === 'string') {
    const i = v.indexOf(':');
    if (i < 0 || !v.startsWith('.')) return v;
    return rebasePath(v.slice(0, i), dir) + v.slice(i);
  }
  if (isMap(v) && v.type === 'bind' && typeof v.source === 'string') return { ...v, source: rebasePath(v.source, dir) };
  return v;
}

function rebaseEnvFile(e: unknown, dir: string): unknown {
  if (typeof e === 'string') return rebasePath(e, dir);
  if (Array.isArray(e)) return e.map((x) => rebaseEnvFile(x, dir));
  if (isMap(e) && typeof e.path === 'string') return { ...e, path: rebasePath(e.path, dir) };
  return e;
}

/** A service of a file in `dir`, with its build context, bind mounts and env files seen from the top. */
export function rebaseService(svc: ComposeMap, dir: string): ComposeMap {
  if (dir === '.') return svc;
  const out: ComposeMap = { ...svc };
  if (out.build !== undefined) out.build = rebaseBuild(out.build, dir);
  if (Array.isArray(out.volumes)) out.volumes = out.volumes.map((v) => rebaseVolume(v, dir));
  if (out.env_file !== undefined) out.env_file = rebaseEnvFile(out.env_file, dir);
  return out;
}

/** Top-level secrets and configs read from a `file:` of the included file's folder. */
export function rebaseFileResources(resources: unknown, dir: string): unknown {
  if (dir === '.' || !isMap(resources)) return resources;
  const out: ComposeMap = {};
  for (const [name, def] of Object.entries(resources)) {
    out[name] = isMap(def) && typeof def.file === 'string' ? { ...def, file: rebasePath(def.file, dir) } : def;
  }
  return out;
}
