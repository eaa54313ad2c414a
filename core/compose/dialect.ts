/**
 * The two Compose dialects an HDA may run: the v2 CLI plugin (`docker compose`, the Compose
 * Specification) and v1 (`docker-compose` 1.29, Python, YAML 1.1). A normalized compose is written for
 * the dialect the HDA drives: what v1 cannot express is translated, or the install is refused with the
 * reasons before anything on the host changes.
 */
import type { ComposeSpec } from '../catalog/compose';
import { toV1 } from './dialect-v1';
import { v2Reasons } from './dialect-v2';

export const COMPOSE_DIALECTS = ['v1', 'v2'] as const;
export type ComposeDialect = (typeof COMPOSE_DIALECTS)[number];

export type DialectResult =
  | { ok: true; spec: ComposeSpec /** what was translated, in words */; notes: string[] }
  | { ok: false /** what this dialect cannot run, in words naming service and key */; reasons: string[] };

/** The compose for `dialect`: v2 as is unless it uses what 2.26 lacks; v1 translated where it can be. */
export function toDialect(spec: ComposeSpec, dialect: ComposeDialect): DialectResult {
  if (dialect === 'v2') {
    const reasons = v2Reasons(spec);
    return reasons.length ? { ok: false, reasons } : { ok: true, spec, notes: [] };
  }
  const t = toV1(spec);
  return t.reasons.length ? { ok: false, reasons: t.reasons } : { ok: true, spec: t.spec, notes: t.notes };
}
