/**
 * `extends` resolved: a service becomes the service it extends (of the same file, or of a shipped
 * `file:`), with its own keys merged over it by Compose's rules, followed along chains; a cycle or a
 * chain deeper than the limit is refused.
 */
import { ComposeError } from '../catalog/errors';
import { mergeService } from './merge';
import { rebaseService } from './rebase';
import { countNodes, dirOf, isMap, MAX_REFERENCE_DEPTH, type ComposeMap, type ComposeSources } from './sources';

/** One compose file's services, where they were read from. */
export interface ServiceFile {
  /** App-relative path, or null for the compose file itself. */
  path: string | null;
  dir: string;
  services: ComposeMap;
}

const EXTENDS_KEYS = new Set(['service', 'file']);

function label(file: ServiceFile): string {
  return file.path === null ? 'the compose file' : `"${file.path}"`;
}

/** Every service of `file` with its extends resolved and its paths seen from the app folder's top. */
export function resolveServices(file: ServiceFile, sources: ComposeSources): ComposeMap {
  const out: ComposeMap = {};
  for (const name of Object.keys(file.services)) out[name] = resolveService(file, name, sources, []);
  return out;
}

function resolveService(file: ServiceFile, name: string, sources: ComposeSources, trail: string[]): ComposeMap {
  const where = `service "${name}" of ${label(file)}`;
  const svc = file.services[name];
  if (!isMap(svc)) {
    if (trail.length === 0) return svc as ComposeMap; // not extended: the compose reader names what is wrong with it
    throw new ComposeError('extends-service', `${trail[trail.length - 1]} extends ${where}, which is not a service mapping`);
  }
  const id = `${file.path ?? ''}#${name}`;
  if (trail.includes(id))
    throw new ComposeError('extends-cycle', `${where} extends itself through ${[...trail, id].map((t) => t.replace(/^#/, '')).join(' -> ')}`);
  if (trail.length >= MAX_REFERENCE_DEPTH) throw new ComposeError('extends-depth', `${where}: extends chains are limited to ${MAX_REFERENCE_DEPTH} services`);
  const { extends: ext, ...own } = svc;
  const local = rebaseService(own, file.dir);
  if (ext === undefined) return local;
  const ref = typeof ext === 'string' ? { service: ext } : ext;
  if (!isMap(ref) || typeof ref.service !== 'string' || Object.keys(ref).some((k) => !EXTENDS_KEYS.has(k))) {
    throw new ComposeError('extends-form', `${where}: extends must be a service name or {service, file}`);
  }
  const baseFile = ref.file === undefined ? file : loadServiceFile(sources, sources.resolve(ref.file, file.dir, 'extends-file', `${where}: extends file`));
  if (!Object.hasOwn(baseFile.services, ref.service)) {
    throw new ComposeError('extends-service', `${where} extends "${ref.service}", which ${label(baseFile)} does not define`);
  }
  const base = resolveService(baseFile, ref.service, sources, [...trail, id]);
  sources.inherit(countNodes(base), where);
  return mergeService(base, local);
}

function loadServiceFile(sources: ComposeSources, path: string): ServiceFile {
  const model = sources.load(path, 'extends-file');
  const services = model.services ?? {};
  if (!isMap(services)) throw new ComposeError('extends-file', `"${path}" has no services mapping`);
  return { path, dir: dirOf(path), services };
}
