/**
 * The two Compose dialects an HDA may run: the v2 CLI plugin (`docker compose`, the Compose
 * Specification) and v1 (`docker-compose` 1.29, Python, YAML 1.1). A normalized compose is written for
 * the dialect the HDA drives: what v1 cannot express is translated, or the install is refused with the
 * reasons before anything on the host changes.
 */
import type { ComposeSpec } from '../catalog/compose';

export const COMPOSE_DIALECTS = ['v1', 'v2'] as const;
export type ComposeDialect = (typeof COMPOSE_DIALECTS)[number];

export type DialectResult =
  | { ok: true; spec: ComposeSpec; /** what was translated, in words */ notes: string[] }
  | { ok: false; /** what this dialect cannot run, in words naming service and key */ reasons: string[] };

/** Placeholder until the translation lands: v2 as is; v1 without the top-level `name`. */
export function toDialect(spec: ComposeSpec, dialect: ComposeDialect): DialectResult {
  if (dialect === 'v2') return { ok: true, spec, notes: [] };
  const { name, ...rest } = spec;
  return { ok: true, spec: rest as ComposeSpec, notes: name === undefined ? [] : ['the top-level "name" was dropped (the agent names the project)'] };
}
