/**
 * Bounded YAML in and unambiguous YAML out. Input: size, alias-expansion and nesting limits so a
 * hostile file cannot hang or exhaust the parser. Output: every string that a YAML 1.1 reader
 * (docker-compose v1, PyYAML) or a YAML 1.2 reader (Compose v2) could take for something else
 * (`22:22`, `yes`, `0755`, `1e3`) is double-quoted, so both Compose flavours read the same values.
 */
import { Document, LineCounter, Scalar, isScalar, parseDocument, visit } from 'yaml';
import { ComposeError } from './errors';

export const MAX_YAML_BYTES = 256 * 1024;
export const MAX_ALIAS_COUNT = 100;
export const MAX_DEPTH = 64;

export interface ParsedYaml {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  value: unknown;
}

export function parseYamlBounded(text: string, what = 'compose file'): ParsedYaml {
  if (text.length > MAX_YAML_BYTES) {
    throw new ComposeError('compose-too-large', `${what} is ${text.length} bytes; the limit is ${MAX_YAML_BYTES}`);
  }
  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  let value: unknown;
  try {
    doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false, strict: true });
  } catch (e) {
    throw new ComposeError('yaml', `${what} is not valid YAML: ${(e as Error).message}`);
  }
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const line = err.pos ? lineCounter.linePos(err.pos[0]).line : undefined;
    throw new ComposeError('yaml', `${what} is not valid YAML${line ? ` (line ${line})` : ''}: ${firstLine(err.message)}`, {
      line,
      text: line ? lineText(text, line) : undefined,
    });
  }
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const msg = (e as Error).message;
    const rule = /alias/i.test(msg) ? 'yaml-aliases' : 'yaml';
    throw new ComposeError(rule, `${what} cannot be expanded: ${firstLine(msg)} (alias limit ${MAX_ALIAS_COUNT})`);
  }
  if (depthExceeds(value, MAX_DEPTH)) {
    throw new ComposeError('yaml-depth', `${what} nests deeper than ${MAX_DEPTH} levels`);
  }
  return { doc, lineCounter, value };
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

export function lineText(source: string, line: number): string | undefined {
  const l = source.split('\n')[line - 1];
  return l === undefined ? undefined : l.replace(/\r$/, '');
}

function depthExceeds(value: unknown, max: number): boolean {
  // Iterative walk: the check itself must not overflow the stack on the input it guards against.
  const stack: Array<[unknown, number]> = [[value, 0]];
  const seen = new Set<unknown>();
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) return true;
    if (seen.has(v)) continue;
    seen.add(v);
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) stack.push([child, d + 1]);
  }
  return false;
}

/** Strings that may stay plain: read as the same string by YAML 1.1 and 1.2 readers alike. */
const SAFE_PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
const KEYWORDS = /^(y|n|yes|no|on|off|true|false|null|nan|inf)$/i;

export function stringifyCompose(value: unknown): string {
  const doc = new Document(value, { version: '1.1' });
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value !== 'string') return;
      if (node.value.includes('\n')) return; // block literal, chosen by the stringifier
      if (!SAFE_PLAIN.test(node.value) || KEYWORDS.test(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0, indentSeq: true });
}

export { isScalar };
