/**
 * `include` and `extends` resolved at publish into one self-contained compose: every file Compose
 * would read must be a file the version ships (the install script's heredocs), and the result is what
 * the policy checks and the agent runs.
 */
import { ComposeError } from '../catalog/errors';
import { resolveServices } from './extends';
import { mergeService } from './merge';
import { rebaseFileResources } from './rebase';
import { ComposeSources, dirOf, isMap, MAX_REFERENCE_DEPTH, type ComposeMap, type ReadYaml } from './sources';

export type { ReadYaml } from './sources';

/** The rules a ComposeError of this resolution names. */
export const REFERENCE_RULES = [
  'include-file',
  'include-form',
  'include-conflict',
  'include-cycle',
  'extends-file',
  'extends-form',
  'extends-service',
  'extends-cycle',
  'extends-depth',
  'extends-merge',
  'extends-size',
] as const;

/** Top-level resources an included file adds beside its services. */
const RESOURCES = ['networks', 'volumes', 'secrets', 'configs'] as const;
/** What an included file may hold; its own name, version and extensions are not part of the app. */
const INCLUDED_KEYS = new Set<string>(['services', 'include', 'name', 'version', ...RESOURCES]);
const INCLUDE_ENTRY_KEYS = new Set(['path', 'project_directory', 'env_file']);

/** One compose value with every include merged in and every extends resolved. */
export function resolveIncludes(root: Record<string, unknown>, files: Readonly<Record<string, string>>, readYaml: ReadYaml): Record<string, unknown> {
  return resolveModel(root, null, new ComposeSources(files, readYaml, root), []);
}

function resolveModel(model: ComposeMap, path: string | null, sources: ComposeSources, trail: string[]): ComposeMap {
  const dir = path === null ? '.' : dirOf(path);
  const { include, ...out } = model;
  if (out.services !== undefined) {
    if (!isMap(out.services)) return out; // the compose reader refuses a services key that is not a mapping
    out.services = resolveServices({ path, dir, services: out.services }, sources);
  }
  for (const key of ['secrets', 'configs'] as const) if (out[key] !== undefined) out[key] = rebaseFileResources(out[key], dir);
  if (include === undefined) return out;
  if (!Array.isArray(include)) throw new ComposeError('include-form', `${where(path)}: include must be a list`);
  for (const entry of include) addIncluded(out, includedModel(entry, dir, path, sources, trail), path);
  return out;
}

function where(path: string | null): string {
  return path === null ? 'the compose file' : `"${path}"`;
}

/** One include entry (a path, or {path, project_directory?, env_file?}) as one model. */
function includedModel(entry: unknown, dir: string, from: string | null, sources: ComposeSources, trail: string[]): ComposeMap {
  const spec = typeof entry === 'string' ? { path: entry } : entry;
  if (!isMap(spec) || Object.keys(spec).some((k) => !INCLUDE_ENTRY_KEYS.has(k))) {
    throw new ComposeError('include-form', `${where(from)}: an include entry must be a path or {path, project_directory, env_file}`);
  }
  if (spec.env_file !== undefined) {
    throw new ComposeError(
      'include-form',
      `${where(from)}: include env_file gives the included file its own variables; interpolation is not resolved at publish, so it cannot be made one file`,
    );
  }
  const refs = Array.isArray(spec.path) ? spec.path : [spec.path];
  const paths = refs.map((r) => sources.resolve(r, dir, 'include-file', `${where(from)}: include`));
  if (paths.length === 0) throw new ComposeError('include-form', `${where(from)}: an include entry names no file`);
  if (spec.project_directory !== undefined) checkProjectDirectory(spec.project_directory, dir, paths[0], from);
  const models = paths.map((p) => {
    if (trail.includes(p) || p === from) throw new ComposeError('include-cycle', `"${p}" includes itself through ${[...trail, p].join(' -> ')}`);
    if (trail.length >= MAX_REFERENCE_DEPTH) throw new ComposeError('include-file', `"${p}": includes nest deeper than ${MAX_REFERENCE_DEPTH} files`);
    if (sources.included.has(p)) throw new ComposeError('include-conflict', `"${p}" is included more than once`);
    sources.included.add(p);
    const model = sources.load(p, 'include-file');
    const unknown = Object.keys(model).find((k) => !INCLUDED_KEYS.has(k) && !k.startsWith('x-'));
    if (unknown) throw new ComposeError('include-file', `"${p}": unknown top-level key "${unknown}"`);
    const { name: _n, version: _v, ...rest } = resolveModel(model, p, sources, [...trail, p]);
    return Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith('x-')));
  });
  return models.reduce((a, b) => overrideModel(a, b));
}

/** A project_directory other than the included file's own folder would move its paths: refused. */
function checkProjectDirectory(pd: unknown, dir: string, first: string, from: string | null): void {
  const same = typeof pd === 'string' && !pd.includes('$') && pd !== '' && normalizeDir(dir, pd) === dirOf(first);
  if (!same)
    throw new ComposeError(
      'include-form',
      `${where(from)}: include project_directory "${String(pd)}" is not the included file's own folder; its relative paths could not be kept`,
    );
}

function normalizeDir(dir: string, pd: string): string {
  const parts = (dir === '.' ? pd : `${dir}/${pd}`).split('/').filter((s) => s !== '' && s !== '.');
  return parts.length ? parts.join('/') : '.';
}

/** `path: [a, b]`: b overrides a as a second `-f` file would. */
function overrideModel(a: ComposeMap, b: ComposeMap): ComposeMap {
  const out: ComposeMap = { ...a };
  for (const key of ['services', ...RESOURCES]) {
    const x = a[key];
    const y = b[key];
    if (y === undefined) continue;
    if (!isMap(x) || !isMap(y)) {
      out[key] = y;
      continue;
    }
    const merged: ComposeMap = { ...x };
    for (const [name, def] of Object.entries(y)) merged[name] = isMap(x[name]) && isMap(def) ? mergeService(x[name] as ComposeMap, def) : def;
    out[key] = merged;
  }
  return out;
}

/** Adds an included model's services and resources; a name defined twice differently is refused. */
function addIncluded(out: ComposeMap, included: ComposeMap, from: string | null): void {
  for (const key of ['services', ...RESOURCES]) {
    const add = included[key];
    if (add === undefined || add === null) continue;
    if (!isMap(add)) throw new ComposeError('include-file', `an included ${key} must be a mapping`);
    const target: ComposeMap = isMap(out[key]) ? { ...(out[key] as ComposeMap) } : {};
    for (const [name, def] of Object.entries(add)) {
      if (name in target && (key === 'services' || !sameValue(target[name], def))) {
        throw new ComposeError('include-conflict', `${where(from)}: ${key} "${name}" is defined both here and in an included file`);
      }
      target[name] = def;
    }
    out[key] = target;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
