/**
 * The one reading of a compose file: YAML (bounded) -> Compose Specification form (v1 converted) ->
 * include/extends resolved from the shipped files -> validated against the strict model. What comes
 * out is what the policy checks, what is stored as the normalized compose and what the agent renders.
 */
import { assertServicesRunSomething, parseCompose, type ComposeDoc } from '../catalog/compose';
import type { Finding } from '../catalog/types';
import { parseYamlBounded } from '../catalog/yaml-io';
import { resolveIncludes } from './include';
import { issuesToFindings } from './issues';
import { composeSchema, type ComposeModelSpec } from './schema/top';

export interface ComposeModel {
  /** The validated file: only keys the specification defines, `x-` extensions dropped, source key order. */
  spec: ComposeModelSpec;
  /** The source, for line numbers and quotes. */
  doc: ComposeDoc;
}

export type ReadCompose = { ok: true; model: ComposeModel; notes: Finding[] } | { ok: false; doc: ComposeDoc; notes: Finding[]; findings: Finding[] };

/** Reads and validates; throws CatalogError when the text is not a compose file at all. */
export function readCompose(text: string, files: Readonly<Record<string, string>> = {}): ReadCompose {
  const doc = parseCompose(text);
  const root = resolveIncludes(doc.value, files, (t, what) => parseYamlBounded(t, what).value);
  assertServicesRunSomething((root.services ?? {}) as Record<string, unknown>);
  const parsed = composeSchema.safeParse(root);
  if (!parsed.success) return { ok: false, doc, notes: doc.notes, findings: issuesToFindings(parsed.error.issues, doc) };
  const { version: _version, ...spec } = orderLike(parsed.data, root) as ComposeModelSpec;
  return { ok: true, model: { spec, doc }, notes: doc.notes };
}

/**
 * A value that is already plain compose (a trial render of a model) checked against the model, with no
 * source text: findings carry no line. Throws CatalogError like readCompose.
 */
export function modelOfValue(value: Record<string, unknown>): ReadCompose {
  const doc: ComposeDoc = { source: '', format: 'spec', value: value as ComposeDoc['value'], notes: [], lineOf: () => undefined, lineText: () => undefined };
  assertServicesRunSomething((value.services ?? {}) as Record<string, unknown>);
  const parsed = composeSchema.safeParse(value);
  if (!parsed.success) return { ok: false, doc, notes: [], findings: issuesToFindings(parsed.error.issues, doc) };
  const { version: _version, ...spec } = parsed.data as ComposeModelSpec;
  return { ok: true, model: { spec, doc }, notes: [] };
}

/** zod builds objects in schema order; the normalized file keeps the publisher's order. */
function orderLike(out: unknown, src: unknown): unknown {
  if (Array.isArray(out)) return out.map((v, i) => orderLike(v, Array.isArray(src) ? src[i] : undefined));
  if (!out || typeof out !== 'object') return out;
  const o = out as Record<string, unknown>;
  const s = src && typeof src === 'object' && !Array.isArray(src) ? (src as Record<string, unknown>) : {};
  const keys = [...Object.keys(s).filter((k) => Object.hasOwn(o, k)), ...Object.keys(o).filter((k) => !Object.hasOwn(s, k))];
  const result: Record<string, unknown> = {};
  for (const k of keys) Object.defineProperty(result, k, { value: orderLike(o[k], s[k]), enumerable: true, writable: true, configurable: true });
  return result;
}
