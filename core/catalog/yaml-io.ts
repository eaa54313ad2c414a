/**
 * Bounded YAML in and unambiguous YAML out. Input: size, alias-expansion and nesting limits so a
 * hostile file cannot hang or exhaust the parser. Output: every string that a YAML 1.1 reader
 * (docker-compose v1, PyYAML) or a YAML 1.2 reader (Compose v2) could take for something else
 * (`22:22`, `yes`, `0755`, `1e3`) is double-quoted, so both Compose flavours read the same values.
 */
import { Document, LineCounter, Scalar, isMap, isScalar, parseDocument, visit } from 'yaml';
import { ComposeError } from './errors';
import { measureAst } from './yaml-size';

export const MAX_YAML_BYTES = 256 * 1024;
export const MAX_ALIAS_COUNT = 100;
export const MAX_DEPTH = 64;
/** Anchors and aliases per file: the library resolves each alias by a scan over all earlier ones. */
export const MAX_ANCHORS = 1000;
/** Nodes that aliases and merge keys may add, beyond the file's own (or as many as it has, if more). */
export const MIN_EXPANSION_BUDGET = 10_000;

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
    // The library's own duplicate-key check compares each key with every earlier one (quadratic).
    doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: false, prettyErrors: false, strict: true });
  } catch (e) {
    throw new ComposeError('yaml', `${what} is not valid YAML: ${(e as Error).message}`);
  }
  const err = firstError(doc);
  if (err) {
    const line = err.offset === undefined ? undefined : lineCounter.linePos(err.offset).line;
    throw new ComposeError('yaml', `${what} is not valid YAML${line ? ` (line ${line})` : ''}: ${firstLine(err.message)}`, {
      line,
      text: line ? lineText(text, line) : undefined,
    });
  }
  checkExpansion(doc, what);
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

/** Refuses, before expanding, what toJS would expand beyond the budget or nest past the depth limit. */
function checkExpansion(doc: Document.Parsed, what: string): void {
  const m = measureAst(doc.contents);
  if (m.depth - 1 > MAX_DEPTH) throw new ComposeError('yaml-depth', `${what} nests deeper than ${MAX_DEPTH} levels`);
  if (m.cyclic) throw new ComposeError('yaml-aliases', `${what} has an alias inside the node it refers to`);
  if (m.anchors > MAX_ANCHORS || m.aliases > MAX_ANCHORS) {
    throw new ComposeError('yaml-aliases', `${what} has ${m.anchors} anchors and ${m.aliases} aliases; the limit is ${MAX_ANCHORS} of each`);
  }
  const budget = Math.max(m.nodes, MIN_EXPANSION_BUDGET);
  if (m.expanded - m.nodes > budget) {
    throw new ComposeError(
      'yaml-aliases',
      `${what} expands to ${m.expanded} nodes through aliases and merge keys from ${m.nodes}; they may add at most ${budget}`,
    );
  }
}

function firstLine(s: string): string {
  const end = s.indexOf('\n');
  return end < 0 ? s : s.slice(0, end);
}

/** The earliest of the parser's errors and the first duplicate key, as the library reported them. */
function firstError(doc: Document.Parsed): { offset?: number; message: string } | undefined {
  const parsed = doc.errors[0];
  const bad = firstRefusedKey(doc);
  const fromParser = parsed ? { offset: parsed.pos?.[0], message: parsed.message } : undefined;
  if (bad === undefined) return fromParser;
  return fromParser && (fromParser.offset ?? 0) <= bad.offset ? fromParser : bad;
}

/**
 * The first key that repeats an earlier scalar key of its mapping (one Set per mapping), or that is
 * `__proto__`, which a plain object would take as its prototype and so drop without a word.
 */
export function firstRefusedKey(doc: Document.Parsed): { offset: number; message: string } | undefined {
  let found: { offset: number; message: string } | undefined;
  const note = (at: number, message: string) => {
    if (found === undefined || at < found.offset) found = { offset: at, message };
  };
  visit(doc, {
    Map(_k, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue; // the library compares other keys by identity: never equal
        const at = pair.key.range?.[0] ?? 0;
        if (pair.key.value === '__proto__') note(at, 'the key "__proto__" is not allowed');
        else if (seen.has(pair.key.value)) note(at, 'Map keys must be unique');
        seen.add(pair.key.value);
      }
    },
  });
  return found;
}

/** Start offsets of each line of the last source asked about: findings ask for many lines of one file. */
let lineIndex: { source: string; starts: number[] } | undefined;

export function lineText(source: string, line: number): string | undefined {
  if (lineIndex?.source !== source) {
    const starts = [0];
    for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
    lineIndex = { source, starts };
  }
  const start = lineIndex.starts[line - 1];
  if (start === undefined || line < 1) return undefined;
  const next = lineIndex.starts[line];
  const l = source.slice(start, next === undefined ? source.length : next - 1);
  return l.endsWith('\r') ? l.slice(0, -1) : l;
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
