/**
 * Building blocks of the Compose model: strict objects that accept and drop `x-` extensions, and the
 * shared shapes of the Compose Specification (list_or_dict, string_or_list, command, ...).
 */
import { z } from 'zod';

// core/ also runs on Workers, where code generation is refused: zod validates without its JIT.
z.config({ jitless: true });

/** Drops `x-` extension keys (allowed by the specification, never kept in the normalized output). */
function dropExtensions(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  if (!Object.keys(v).some((k) => k.startsWith('x-'))) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('x-')));
}

/** A specification object: only the listed keys (plus `x-` extensions, dropped); anything else is refused. */
export function specObject<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess(dropExtensions, z.strictObject(shape));
}

export const str = z.string();
export const bool = z.union([z.boolean(), z.string()]);
export const num = z.union([z.number(), z.string()]);
export const int = z.union([z.number().int(), z.string()]);
export const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const listOfStrings = z.array(z.string());
export const stringOrList = z.union([z.string(), listOfStrings]);
/** A mapping (values: string, number, boolean or null) or a list of `KEY=VALUE` strings. */
export const listOrDict = z.union([z.record(z.string(), scalar), listOfStrings]);
export const command = z.union([z.null(), z.string(), listOfStrings]);
export const extraHosts = z.union([z.record(z.string(), stringOrList), listOfStrings]);
/** Names of top-level objects: the pattern the specification gives for map keys. */
export const NAME_RE = /^[a-zA-Z0-9._-]+$/;
export function namedMap<T extends z.ZodType>(value: T) {
  return z.record(z.string().regex(NAME_RE, 'a name may only contain letters, digits, ".", "_" and "-"'), value);
}

export const ulimits = z.record(z.string(), z.union([int, specObject({ hard: int, soft: int })]));

/** A service's secrets or configs: names, or `{ source, target, uid, gid, mode }`. */
export const serviceConfigOrSecret = z.array(
  z.union([z.string(), specObject({ source: str, target: str.optional(), uid: str.optional(), gid: str.optional(), mode: num.optional() })]),
);

export const externalFlag = z.union([z.boolean(), z.string(), specObject({ name: str.optional() })]);
