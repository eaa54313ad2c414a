/**
 * The files `include` and `extends` may name: only those the version ships, by a plain app-relative
 * path (no interpolation, nothing outside the app folder), each read once, with a cap on how many.
 */
import { ComposeError } from '../catalog/errors';
import { appRelativePath, normalizePosix } from '../catalog/paths';

/** Reads a shipped YAML file into a plain value (bounded, duplicate keys refused). */
export type ReadYaml = (text: string, what: string) => unknown;

/** Files one compose may pull in, in all (includes and extends' files together). */
export const MAX_REFERENCED_FILES = 32;
/** Nesting of include in include, and of extends on extends. */
export const MAX_REFERENCE_DEPTH = 8;
/** Values extends may copy from bases, beyond the files' own (or as many as they have, if more). */
export const MIN_INHERIT_BUDGET = 10_000;

export type ComposeMap = Record<string, unknown>;

export function isMap(v: unknown): v is ComposeMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The directory part of an app-relative path ('.' at the top). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

/** Scalars and collections in a plain value, counted without recursion. */
export function countNodes(value: unknown): number {
  let n = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    n++;
    if (v !== null && typeof v === 'object') for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push(child);
  }
  return n;
}

export class ComposeSources {
  private readonly cache = new Map<string, ComposeMap>();
  /** Files already included somewhere: each may be included once. */
  readonly included = new Set<string>();
  private ownNodes: number;
  private inherited = 0;

  constructor(
    private readonly files: Readonly<Record<string, string>>,
    private readonly readYaml: ReadYaml,
    root: ComposeMap,
  ) {
    this.ownNodes = countNodes(root);
  }

  /** Counts values a service inherits; refuses once extends would copy far more than the files hold. */
  inherit(nodes: number, where: string): void {
    this.inherited += nodes;
    const budget = Math.max(this.ownNodes, MIN_INHERIT_BUDGET);
    if (this.inherited > budget) {
      throw new ComposeError(
        'extends-size',
        `${where}: extends would copy ${this.inherited} values from base services, more than the ${budget} the files hold`,
      );
    }
  }

  /**
   * The app-relative path a reference in a file of `fromDir` names, or a ComposeError of `rule`:
   * interpolated, absolute, outside the app folder, or not a file the version ships.
   */
  resolve(ref: unknown, fromDir: string, rule: string, where: string): string {
    if (typeof ref !== 'string' || ref.trim() === '') throw new ComposeError(rule, `${where}: the file must be a non-empty string`);
    if (ref.includes('$')) throw new ComposeError(rule, `${where}: "${ref}" uses $ interpolation; name the file literally`);
    if (ref.startsWith('/')) throw new ComposeError(rule, `${where}: "${ref}" is an absolute path; files must stay inside the app folder`);
    const joined = normalizePosix(fromDir === '.' ? ref : `${fromDir}/${ref}`);
    const rel = appRelativePath(joined);
    if ('error' in rel || rel.path === '.')
      throw new ComposeError(rule, `${where}: "${ref}" ${'error' in rel ? 'leaves the app folder or is not a plain path' : 'is the app folder'}`);
    if (!Object.hasOwn(this.files, rel.path)) {
      throw new ComposeError(rule, `${where}: "${ref}" is not a file this version ships (the install script writes no "${rel.path}")`);
    }
    return rel.path;
  }

  /** The parsed mapping of a shipped file, read once. */
  load(path: string, rule: string): ComposeMap {
    const hit = this.cache.get(path);
    if (hit) return hit;
    if (this.cache.size >= MAX_REFERENCED_FILES) throw new ComposeError(rule, `the compose pulls in more than ${MAX_REFERENCED_FILES} files`);
    const value = this.readYaml(this.files[path], `"${path}"`);
    if (!isMap(value)) throw new ComposeError(rule, `"${path}" must be a mapping of compose keys`);
    this.ownNodes += countNodes(value);
    this.cache.set(path, value);
    return value;
  }
}
