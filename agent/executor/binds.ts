/**
 * The host paths a compose file makes Docker or Compose open, resolved for real (every symlink
 * followed, fs.realpath) before each start: a container that can write into its app folder could
 * otherwise swap a bound sub-folder for a link to `/` and get the host's root at the next start.
 * A path must stay, for real, inside the root it is written under (the app folder or one share
 * root); missing folders are created by the agent itself, one level at a time, each level checked
 * first. Outside those roots only what the policy lets through is accepted: the time files read-only,
 * and paths the owner granted with the exception the policy names for them (`bind-outside-app`,
 * `docker-socket`, `build-outside-app`, `external-file`). `/` is never accepted.
 */
import { lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { dockerSocketExposure, parseMount } from '../../core/catalog/mounts';
import { isMap, isRemoteContext } from './anchor';

/** Where a path comes from: a bind source (a folder is created when missing) or a file Compose reads. */
export interface HostPath {
  path: string;
  use: 'bind' | 'read';
  readOnly: boolean;
  /** e.g. `service "web" volume 0`, for the refusal. */
  where: string;
  /** The owner exceptions (policy rule ids) that together let it lie outside the app folder and share roots. */
  grantedBy: string[];
}

export interface HostPathRules {
  appDir: string;
  shareRoots: readonly string[];
  /** The owner's policy exceptions for the install (rule ids). */
  exceptions?: readonly string[];
}

export interface CheckedPath {
  path: string;
  real: string;
  created: string[];
}

export class HostPathRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostPathRefused';
  }
}

const TIME_FILES = ['/etc/localtime', '/etc/timezone'];

type Json = Record<string, unknown>;
const within = (child: string, root: string) => child === root || child.startsWith(root === '/' ? '/' : root + sep);

/** The build context, its Dockerfile and local additional contexts: folders and files Compose reads. */
function buildPathsOf(name: string, build: unknown): HostPath[] {
  const spec = typeof build === 'string' ? { context: build } : isMap(build) ? build : {};
  const ctx = typeof spec.context === 'string' ? spec.context : undefined;
  const read = (path: string, what: string): HostPath => ({
    path,
    use: 'read',
    readOnly: true,
    where: `service "${name}" ${what}`,
    grantedBy: ['build-outside-app'],
  });
  const out: HostPath[] = [];
  if (ctx !== undefined && !isRemoteContext(ctx)) {
    out.push(read(ctx, 'build context'));
    if (typeof spec.dockerfile === 'string') out.push(read(isAbsolute(spec.dockerfile) ? spec.dockerfile : join(ctx, spec.dockerfile), 'Dockerfile'));
  }
  for (const [key, v] of Object.entries(isMap(spec.additional_contexts) ? spec.additional_contexts : {})) {
    if (typeof v === 'string' && isAbsolute(v)) out.push(read(v, `additional build context "${key}"`));
  }
  return out;
}

/** Every host path of a (rendered, anchored) compose document, with where it is written. */
export function hostPathsOf(doc: Json): HostPath[] {
  const out: HostPath[] = [];
  for (const [name, svc] of Object.entries(isMap(doc.services) ? doc.services : {})) {
    if (!isMap(svc)) continue;
    (Array.isArray(svc.volumes) ? svc.volumes : []).forEach((v, i) => {
      const m = parseMount(v, i);
      if (m.kind !== 'bind' || m.source === undefined) return;
      const sock = dockerSocketExposure(m.source);
      const grantedBy = sock === 'socket' ? ['docker-socket'] : sock === 'ancestor' ? ['docker-socket', 'bind-outside-app'] : ['bind-outside-app'];
      out.push({ path: m.source, use: 'bind', readOnly: m.readOnly, where: `service "${name}" volume ${i}`, grantedBy });
    });
    out.push(...buildPathsOf(name, svc.build));
    const envFiles = svc.env_file === undefined ? [] : Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file];
    for (const e of envFiles) {
      const p = typeof e === 'string' ? e : isMap(e) ? e.path : undefined;
      if (typeof p === 'string') out.push({ path: p, use: 'read', readOnly: true, where: `service "${name}" env_file`, grantedBy: ['external-file'] });
    }
  }
  for (const key of ['configs', 'secrets']) {
    for (const [name, entry] of Object.entries(isMap(doc[key]) ? (doc[key] as Json) : {})) {
      if (isMap(entry) && typeof entry.file === 'string')
        out.push({ path: entry.file, use: 'read', readOnly: true, where: `${key} "${name}"`, grantedBy: ['external-file'] });
    }
  }
  return out;
}

/** The real path of a root, created when missing (a share root the host has not made yet). */
function realRoot(root: string): string {
  mkdirSync(root, { recursive: true, mode: 0o755 });
  return realpathSync(root);
}

/**
 * Walks `rel` below the real root one name at a time: an existing name is resolved for real and must
 * stay inside; a missing one (bind sources only) is created in the real folder just checked.
 */
function walk(hp: HostPath, root: string, rel: string[]): CheckedPath {
  const base = realRoot(root);
  let cur = base;
  const created: string[] = [];
  for (const name of rel) {
    const next = join(cur, name);
    let exists = true;
    try {
      lstatSync(next);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new HostPathRefused(`${hp.where}: ${hp.path} cannot be checked: ${(e as Error).message}`);
      exists = false;
    }
    if (!exists) {
      // A missing file Compose would read: nothing to follow; Compose says it is missing.
      if (hp.use !== 'bind') return { path: hp.path, real: next, created };
      mkdirSync(next, { mode: 0o755 });
      created.push(next);
      cur = next;
      continue;
    }
    const real = realpathSync(next);
    if (!within(real, base)) throw new HostPathRefused(`${hp.where}: ${hp.path} leads to ${real} (through a symlink), outside ${root}; refusing to start`);
    cur = real;
  }
  return { path: hp.path, real: cur, created };
}

/** Checks one host path; throws HostPathRefused naming it. */
export function checkHostPath(hp: HostPath, rules: HostPathRules): CheckedPath {
  const path = hp.path.replace(/(.)\/+$/, '$1');
  // What Docker is handed must be what is checked: no `.`, `..` or `//` for the kernel to read differently.
  if (!isAbsolute(path) || normalize(path) !== path)
    throw new HostPathRefused(`${hp.where}: ${JSON.stringify(hp.path)} is not an absolute, normalized host path`);
  if (path === '/') throw new HostPathRefused(`${hp.where}: the host's root folder / is never mounted`);
  const roots = [rules.appDir, ...rules.shareRoots].map((r) => normalize(r).replace(/(.)\/+$/, '$1')).filter((r) => r !== '/');
  const root = roots.filter((r) => within(path, r)).sort((a, b) => b.length - a.length)[0];
  if (root) return walk(hp, root, relative(root, path).split(sep).filter(Boolean));
  const granted = (hp.use === 'bind' && TIME_FILES.includes(path) && hp.readOnly) || hp.grantedBy.every((rule) => rules.exceptions?.includes(rule));
  if (!granted)
    throw new HostPathRefused(
      `${hp.where}: ${path} is outside the app folder ${rules.appDir} and the share roots, and no owner exception (${hp.grantedBy.join(' + ')}) allows it`,
    );
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    throw new HostPathRefused(`${hp.where}: ${path} cannot be resolved: ${(e as Error).message}`);
  }
  if (real === '/') throw new HostPathRefused(`${hp.where}: ${path} leads to the host's root folder /, which is never mounted`);
  // A granted path judged by what it resolves to: a link to the Docker socket needs that exception too.
  if (real !== path && hp.use === 'bind' && dockerSocketExposure(real) && !rules.exceptions?.includes('docker-socket'))
    throw new HostPathRefused(`${hp.where}: ${path} leads to ${real}, which exposes the Docker socket, and no owner exception (docker-socket) allows it`);
  return { path, real, created: [] };
}

export function checkHostPaths(paths: readonly HostPath[], rules: HostPathRules): CheckedPath[] {
  return paths.map((hp) => checkHostPath(hp, rules));
}
