/**
 * Compose's merge of a service over the one it `extends` (the Compose Specification's merge rules, as
 * Compose 2.26 applies them): mappings merged key by key, the later value winning; command, entrypoint
 * and healthcheck.test replaced whole; environment-like lists merged by key; ports, volumes, devices,
 * secrets and configs merged by their unique key, a later entry taking the place of an earlier one;
 * other sequences appended without repeats. Dependencies (depends_on, links, volumes_from) are
 * inherited, as Compose 2.26 does.
 */
import { ComposeError } from '../catalog/errors';
import { isMap, type ComposeMap } from './sources';

type Merger = (base: unknown, local: unknown, path: string) => unknown;

const replace: Merger = (_b, local) => local;

/** Where a value of list form `K=V` (or `K:V` for hosts) has its key. */
const KEY_VALUE_SEPARATOR: Record<string, RegExp> = {
  environment: /=/,
  labels: /=/,
  sysctls: /=/,
  annotations: /=/,
  'build.args': /=/,
  'build.labels': /=/,
  'deploy.labels': /=/,
  extra_hosts: /[=:]/,
};

/** The identity of an entry of a sequence whose entries must be unique. */
const UNIQUE_KEY: Record<string, (item: unknown) => string> = {
  ports: portKey,
  volumes: (v) => mountTarget(v, ''),
  devices: (v) => mountTarget(v, ''),
  secrets: (v) => mountTarget(v, '/run/secrets/'),
  configs: (v) => mountTarget(v, '/'),
};

const SPECIAL: Record<string, Merger> = {
  command: replace,
  entrypoint: replace,
  'healthcheck.test': replace,
  logging: mergeLogging,
  networks: (b, l, p) => mergeNamed(b, l, p, () => null),
  depends_on: (b, l, p) => mergeNamed(b, l, p, () => ({ condition: 'service_started' })),
  build: (b, l, p) => mergeValue(asBuild(b), asBuild(l), p),
};

export function mergeService(base: ComposeMap, local: ComposeMap): ComposeMap {
  return mergeMaps(base, local, '');
}

function mergeValue(base: unknown, local: unknown, path: string): unknown {
  if (base === undefined) return local;
  if (local === undefined) return base;
  const special = SPECIAL[path];
  if (special) return special(base, local, path);
  if (KEY_VALUE_SEPARATOR[path]) return mergeKeyValues(base, local, KEY_VALUE_SEPARATOR[path]);
  if (UNIQUE_KEY[path] && Array.isArray(base) && Array.isArray(local)) return mergeUnique(base, local, UNIQUE_KEY[path]);
  if (isMap(base) && isMap(local)) return mergeMaps(base, local, path);
  if (Array.isArray(base) && Array.isArray(local)) return mergeUnique(base, local, (v) => JSON.stringify(v));
  if (isMap(base) || isMap(local) || Array.isArray(base) || Array.isArray(local)) {
    throw new ComposeError(
      'extends-merge',
      `"${path}" is a ${kind(base)} in the extended service and a ${kind(local)} where it is extended; Compose cannot merge them`,
    );
  }
  return local;
}

function kind(v: unknown): string {
  return Array.isArray(v) ? 'list' : isMap(v) ? 'mapping' : 'value';
}

function mergeMaps(base: ComposeMap, local: ComposeMap, path: string): ComposeMap {
  const out: ComposeMap = { ...base };
  for (const [k, v] of Object.entries(local)) out[k] = mergeValue(base[k], v, path ? `${path}.${k}` : k);
  return out;
}

/** Base order kept; an entry with the key of an earlier one takes its place; new ones are appended. */
function mergeUnique(base: unknown[], local: unknown[], keyOf: (v: unknown) => string): unknown[] {
  const out: unknown[] = [];
  const at = new Map<string, number>();
  for (const item of [...base, ...local]) {
    const key = keyOf(item);
    const i = at.get(key);
    if (i === undefined) {
      at.set(key, out.length);
      out.push(item);
    } else out[i] = item;
  }
  return out;
}

/** `K=V` lists and mappings merged by key: a mapping when either side is one, else a list. */
function mergeKeyValues(base: unknown, local: unknown, sep: RegExp): unknown {
  if (Array.isArray(base) && Array.isArray(local)) return mergeUnique(base, local, (v) => String(v).split(sep)[0]);
  return { ...toKeyValueMap(base, sep), ...toKeyValueMap(local, sep) };
}

function toKeyValueMap(v: unknown, sep: RegExp): ComposeMap {
  if (isMap(v)) return v;
  const out: ComposeMap = {};
  for (const item of Array.isArray(v) ? v : []) {
    const s = String(item);
    const m = sep.exec(s);
    if (m) out[s.slice(0, m.index)] = s.slice(m.index + 1);
    else out[s] = null;
  }
  return out;
}

/** networks and depends_on: a list of names or a mapping by name. */
function mergeNamed(base: unknown, local: unknown, path: string, entry: () => unknown): unknown {
  if (Array.isArray(base) && Array.isArray(local)) return mergeUnique(base, local, String);
  const toMap = (v: unknown): ComposeMap => (isMap(v) ? v : Object.fromEntries((Array.isArray(v) ? v : []).map((n) => [String(n), entry()])));
  return mergeMaps(toMap(base), toMap(local), path);
}

/** Options of a different logging driver are not merged into another's. */
function mergeLogging(base: unknown, local: unknown, path: string): unknown {
  if (!isMap(base) || !isMap(local)) return local;
  if (base.driver !== undefined && local.driver !== undefined && base.driver !== local.driver) return local;
  return mergeMaps(base, local, path);
}

function asBuild(b: unknown): unknown {
  return typeof b === 'string' ? { context: b } : b;
}

/** {host_ip, target, published, protocol} of a short (`[ip:][published:]target[/proto]`) or long port. */
export function portKey(p: unknown): string {
  if (isMap(p)) return [p.host_ip ?? '', p.target ?? '', p.published ?? '', p.protocol ?? 'tcp'].map(String).join('|');
  const s = String(p);
  const slash = s.lastIndexOf('/');
  const proto = slash >= 0 ? s.slice(slash + 1) : 'tcp';
  const spec = slash >= 0 ? s.slice(0, slash) : s;
  const m = /^(?:(\[[^\]]*\]|[^:]*):)??(?:([^:]*):)?([^:]+)$/.exec(spec);
  if (!m) return s;
  return [(m[1] ?? '').replace(/^\[|\]$/g, ''), m[3], m[2] ?? '', proto].join('|');
}

/** Where a volume, device, secret or config is mounted in the container. */
export function mountTarget(v: unknown, defaultDir: string): string {
  if (isMap(v)) return String(v.target ?? (defaultDir ? defaultDir + String(v.source) : v.source));
  const s = String(v);
  if (defaultDir) return defaultDir + s;
  const parts = s.split(':');
  return parts.length >= 2 ? parts[1] : parts[0];
}
