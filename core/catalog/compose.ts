/**
 * Reads a compose file of any vintage and returns it in the Compose Specification form: Compose v1
 * (services at the top level) gets a `services:` map and its renamed keys, v2/v3 lose the obsolete
 * `version:` key, everything else is kept for the model (core/compose/model.ts) to validate. Structural problems throw ComposeError (the version cannot
 * be installed at all); notes about the conversion come back as findings.
 */
import { isMap, isPair, isScalar, isSeq, visit, type Node } from 'yaml';
import { ComposeError } from './errors';
import type { Finding } from './types';
import { lineText, parseYamlBounded } from './yaml-io';

export type ComposeFormat = 'v1' | 'v2' | 'v3' | 'spec';
export type ServiceSpec = Record<string, unknown>;
export interface ComposeSpec {
  services: Record<string, ServiceSpec>;
  [key: string]: unknown;
}

export interface ComposeDoc {
  source: string;
  format: ComposeFormat;
  /** The Compose Specification form, plain JSON values (aliases and merge keys resolved). */
  value: ComposeSpec;
  /** Notes from reading and converting (v1 converted, version dropped, YAML 1.1 ambiguities). */
  notes: Finding[];
  /** 1-based line in `source` of the node at a path of `value` (e.g. ['services','web','ports',0]). */
  lineOf(path: Array<string | number>): number | undefined;
  lineText(line: number | undefined): string | undefined;
}

const SERVICE_NAME = /^[a-zA-Z0-9._-]+$/;
/** v1 service keys that the specification spells differently. */
const V1_RENAMES: Record<string, string> = { net: 'network_mode' };

export function parseCompose(text: string): ComposeDoc {
  if (typeof text !== 'string' || text.trim() === '') throw new ComposeError('compose-empty', 'the compose file is empty');
  const { doc, lineCounter, value } = parseYamlBounded(text);
  if (value === null || value === undefined) throw new ComposeError('compose-empty', 'the compose file has no content');
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ComposeError('compose-not-mapping', `the compose file must be a mapping of keys, got ${Array.isArray(value) ? 'a list' : typeof value}`);
  }
  const root = value as Record<string, unknown>;
  const notes: Finding[] = [];
  let format: ComposeFormat;
  let services: unknown;
  let rest: Record<string, unknown> = {};
  if ('version' in root || 'services' in root) {
    const version = root.version;
    if (version !== undefined && typeof version !== 'string' && typeof version !== 'number') {
      throw new ComposeError('compose-version', 'the "version" key must be a string such as "3.8"');
    }
    format = version === undefined ? 'spec' : String(version).startsWith('2') ? 'v2' : String(version).startsWith('3') ? 'v3' : 'spec';
    if (version !== undefined) {
      notes.push({ severity: 'info', rule: 'compose-version-dropped', message: `the obsolete "version: ${version}" key was dropped (Compose Specification)` });
    }
    services = root.services;
    // Unknown keys are refused by the model (core/compose/schema), not here.
    for (const [k, v] of Object.entries(root)) if (k !== 'version' && k !== 'services') rest[k] = v;
  } else {
    format = 'v1';
    services = root;
    rest = {};
    notes.push({
      severity: 'info',
      rule: 'compose-v1-converted',
      message: 'Compose v1 file (services at the top level) converted to the Compose Specification',
    });
  }
  if (!services || typeof services !== 'object' || Array.isArray(services)) {
    throw new ComposeError('compose-no-services', 'the compose file has no "services" mapping');
  }
  const out: Record<string, ServiceSpec> = {};
  for (const [name, body] of Object.entries(services as Record<string, unknown>)) {
    out[name] = checkService(name, body, format === 'v1' ? convertV1Service(body, notes, name) : body);
  }
  if (Object.keys(out).length === 0) throw new ComposeError('compose-no-services', 'the compose file defines no services');

  const sourcePath = (path: Array<string | number>) => {
    if (format !== 'v1') return path;
    const [, ...tail] = path;
    if (tail.length > 1 && typeof tail[1] === 'string') {
      const original = Object.keys(V1_RENAMES).find((k) => V1_RENAMES[k] === tail[1]);
      if (original) tail[1] = original;
      if (tail[1] === 'logging') tail[1] = 'log_driver';
    }
    return tail;
  };
  const lineOf = (path: Array<string | number>) => {
    const offset = offsetOf(doc.contents as Node | null, sourcePath(path));
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  notes.push(...ambiguousScalars(doc, text, lineCounter));
  const spec: ComposeSpec = { services: out, ...rest };
  return { source: text, format, value: spec, notes, lineOf, lineText: (line) => (line ? lineText(text, line) : undefined) };
}

function checkService(name: string, original: unknown, body: unknown): ServiceSpec {
  if (!SERVICE_NAME.test(name)) throw new ComposeError('service-name', `service name "${name}" may only contain letters, digits, ".", "_" and "-"`);
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ComposeError(
      'service-not-mapping',
      `service "${name}" must be a mapping, got ${original === null ? 'nothing' : Array.isArray(original) ? 'a list' : typeof original}`,
    );
  }
  const s = body as ServiceSpec;
  // A service that extends another gets its image from there: checked again once extends is resolved.
  if (!runsSomething(s) && !('extends' in s)) throw new ComposeError('service-no-image', `service "${name}" has neither an "image" nor a "build"`);
  return s;
}

function runsSomething(s: ServiceSpec): boolean {
  const hasImage = typeof s.image === 'string' && s.image.trim() !== '';
  const hasBuild = (typeof s.build === 'string' && s.build.trim() !== '') || (!!s.build && typeof s.build === 'object' && !Array.isArray(s.build));
  return hasImage || hasBuild;
}

/** After include/extends: every service must say what it runs. */
export function assertServicesRunSomething(services: Record<string, unknown>): void {
  for (const [name, body] of Object.entries(services)) {
    if (!runsSomething((body ?? {}) as ServiceSpec)) throw new ComposeError('service-no-image', `service "${name}" has neither an "image" nor a "build"`);
  }
}

function convertV1Service(body: unknown, notes: Finding[], name: string): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const s: ServiceSpec = {};
  const src = body as ServiceSpec;
  for (const [k, v] of Object.entries(src)) {
    if (k === 'dockerfile' || k === 'log_driver' || k === 'log_opt') continue;
    s[V1_RENAMES[k] ?? k] = v;
  }
  if (typeof src.dockerfile === 'string' && typeof src.build === 'string') s.build = { context: src.build, dockerfile: src.dockerfile };
  if (src.log_driver !== undefined || src.log_opt !== undefined) {
    s.logging = { ...(src.log_driver !== undefined ? { driver: src.log_driver } : {}), ...(src.log_opt !== undefined ? { options: src.log_opt } : {}) };
  }
  if ('net' in src) notes.push({ severity: 'info', rule: 'compose-v1-converted', service: name, message: `service "${name}": v1 "net" became "network_mode"` });
  return s;
}

/** Offset in the source of the key (or item) at `path`, following maps and lists; the deepest found. */
function offsetOf(node: Node | null, path: Array<string | number>): number | undefined {
  let found: number | undefined = node?.range?.[0];
  let cur: unknown = node;
  for (const seg of path) {
    if (isMap(cur)) {
      const pair = cur.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      found = (pair.key as Node).range?.[0] ?? found;
      cur = pair.value;
    } else if (isSeq(cur) && typeof seg === 'number') {
      const item = cur.items[seg] as Node | undefined;
      if (!item) break;
      found = item.range?.[0] ?? found;
      cur = item;
    } else break;
  }
  return found;
}

/** Plain scalars that docker-compose v1 (YAML 1.1) would read as a number or boolean. */
function ambiguousScalars(doc: ReturnType<typeof parseYamlBounded>['doc'], text: string, lc: ReturnType<typeof parseYamlBounded>['lineCounter']): Finding[] {
  const notes: Finding[] = [];
  visit(doc, {
    Scalar(_k, node) {
      if (node.type !== 'PLAIN' || typeof node.value !== 'string') return;
      const v = node.value;
      const sexagesimal = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/.test(v);
      const bool = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(v);
      if (!sexagesimal && !bool) return;
      const line = node.range ? lc.linePos(node.range[0]).line : undefined;
      notes.push({
        severity: 'warning',
        rule: 'yaml-ambiguous',
        message: `unquoted "${v}" reads as ${sexagesimal ? 'a base-60 number' : 'a boolean'} in docker-compose v1; kept as the string "${v}" and quoted`,
        line,
        text: line ? lineText(text, line) : undefined,
      });
    },
  });
  return notes;
}
