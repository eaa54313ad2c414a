/**
 * Makes every host path of a rendered compose absolute, resolved against the app folder: bind mount
 * sources, build contexts and additional contexts, env files and file-based configs/secrets. The agent runs Compose on a
 * file kept in its state dir with a working directory of its own, so nothing may depend on where
 * the file lies or where Compose runs; the bind check (binds.ts) then sees exactly what Docker gets.
 */
import { isAbsolute, resolve } from 'node:path';
import { parseMount } from '../../core/catalog/mounts';

type Json = Record<string, unknown>;

export const isMap = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** A build context Compose fetches (a URL or a git remote) rather than reads from the host. */
export const isRemoteContext = (p: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || p.startsWith('git@');

/** An additional build context that names an image, a service or a URL rather than a host folder. */
const namesNoFolder = (p: string) => isRemoteContext(p) || /^(docker-image|service|oci-layout):/.test(p);

/** A relative local path made absolute; URLs (git contexts), `~` and `$VAR` are left for the checks to refuse or Compose to fetch. */
function anchor(p: string, appDir: string): string {
  if (isAbsolute(p) || p.startsWith('~') || p.includes('$') || isRemoteContext(p)) return p;
  return resolve(appDir, p);
}

function anchorVolume(v: unknown, index: number, appDir: string): unknown {
  const m = parseMount(v, index);
  if (m.kind !== 'bind' || m.source === undefined) return v;
  if (typeof v === 'string') return `${anchor(m.source, appDir)}${v.slice(m.source.length)}`;
  return { ...(v as Json), source: anchor(m.source, appDir) };
}

function anchorEnvFile(v: unknown, appDir: string): unknown {
  if (typeof v === 'string') return anchor(v, appDir);
  if (Array.isArray(v))
    return v.map((e) => (typeof e === 'string' ? anchor(e, appDir) : isMap(e) && typeof e.path === 'string' ? { ...e, path: anchor(e.path, appDir) } : e));
  return v;
}

function anchorService(svc: Json, appDir: string): void {
  if (Array.isArray(svc.volumes)) svc.volumes = svc.volumes.map((v, i) => anchorVolume(v, i, appDir));
  if (typeof svc.build === 'string') svc.build = anchor(svc.build, appDir);
  else if (isMap(svc.build)) {
    const build: Json = { ...svc.build };
    if (typeof build.context === 'string') build.context = anchor(build.context, appDir);
    if (isMap(build.additional_contexts)) {
      const extra = Object.entries(build.additional_contexts).map(([k, v]) => [k, typeof v === 'string' && !namesNoFolder(v) ? anchor(v, appDir) : v]);
      build.additional_contexts = Object.fromEntries(extra);
    }
    svc.build = build;
  }
  if (svc.env_file !== undefined) svc.env_file = anchorEnvFile(svc.env_file, appDir);
}

/** Anchors the paths of a parsed compose document in place. */
export function anchorPaths(doc: Json, appDir: string): Json {
  for (const svc of Object.values(isMap(doc.services) ? doc.services : {})) if (isMap(svc)) anchorService(svc, appDir);
  for (const key of ['configs', 'secrets']) {
    const top = doc[key];
    if (!isMap(top)) continue;
    for (const entry of Object.values(top)) if (isMap(entry) && typeof entry.file === 'string') entry.file = anchor(entry.file, appDir);
  }
  return doc;
}
