/**
 * The readers on hostile input: the worst inputs found (long runs, many keys, deep nesting, many
 * heredocs, aliases) are read completely at the size limit, and the checks that replaced quadratic
 * ones give the same answers. No clocks: the 256 KiB inputs took 7-29 s each before; here they only
 * have to finish under vitest's generous timeout.
 */
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { normalizeVersion } from '../../../core/catalog/normalize';
import { logicalLines } from '../../../core/catalog/script-lexer';
import { trimSeparators } from '../../../core/catalog/script';
import { measureAst } from '../../../core/catalog/yaml-size';
import { MAX_YAML_BYTES, parseYamlBounded } from '../../../core/catalog/yaml-io';
import type { ComposeError } from '../../../core/catalog/errors';
import { hostileInputs } from '../../helpers/hostile-inputs';

const base = { app: 'a', version: '1', kind: 'compose' };

describe('hostile inputs at the size limit are read to the end', () => {
  for (const input of hostileInputs(MAX_YAML_BYTES)) {
    it(input.name, { timeout: 15_000 }, () => {
      const r = normalizeVersion(input.kind === 'script' ? { ...base, install_script: input.text } : { ...base, compose: input.text });
      expect(['ready', 'needs_review', 'rejected']).toContain(r.status);
      // Rejections name a rule of the readers, never an internal failure.
      for (const f of r.findings.filter((x) => x.severity === 'error')) expect(f.rule).toMatch(/^[a-z-]+$/);
    });
  }
});

describe('the script reader without backtracking regexes', () => {
  it('trims trailing whitespace and ";" exactly as /[\\s;]+$/ did', () => {
    for (const s of ['a ;; ', 'a', ';;', '', 'echo x;\t \n', 'a ; b ;']) expect(trimSeparators(s)).toBe(s.replace(/[\s;]+$/, ''));
  });

  it('continues a line on an odd run of trailing backslashes only', () => {
    const lines = logicalLines('a \\\nb\nc \\\\\nd\ne \\\\\\\nf\n');
    expect(lines.map((l) => l.command).filter(Boolean)).toEqual(['a  b', 'c \\\\', 'd', 'e \\\\ f']);
  });

  it('finds every heredoc opener on a long line of them', () => {
    const openers = Array.from({ length: 2000 }, (_, i) => `<<E${i}`).join(' ');
    const bodies = Array.from({ length: 2000 }, (_, i) => `x\nE${i}`).join('\n');
    const [line] = logicalLines(`cat ${openers}\n${bodies}\n`);
    expect(line.heredocs).toHaveLength(2000);
    expect(line.heredocs.every((h) => h.endLine !== null)).toBe(true);
  });
});

describe('YAML duplicate keys checked with one Set per mapping', () => {
  it.each(['a: 1\nb: 2\na: 3\n', 'x:\n  b: 1\n  c: 2\n  b: 2\n', '{a: 1, a: 2}\n', 'a: 1\n"a": 2\n', 'a:\n  - {k: 1, k: 2}\n'])(
    'same rule, message and line as the library: %j',
    (text) => {
      const lib = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
      expect(lib.errors[0]?.code).toBe('DUPLICATE_KEY');
      const libLine = text.slice(0, lib.errors[0].pos[0]).split('\n').length;
      let err: ComposeError | undefined;
      try {
        parseYamlBounded(text);
      } catch (e) {
        err = e as ComposeError;
      }
      expect(err).toMatchObject({ rule: 'yaml', line: libLine, message: `compose file is not valid YAML (line ${libLine}): Map keys must be unique` });
    },
  );

  it('distinct keys, merge keys and 1 vs "1" are not duplicates (as for the library)', () => {
    expect(() => parseYamlBounded('x: &x {a: 1}\ny:\n  <<: *x\n  <<: *x\n  1: a\n  "1": b\n')).not.toThrow();
  });
});

describe('aliases measured before they are expanded', () => {
  it('counts the expanded size of merge keys and aliases without expanding them', () => {
    const doc = parseDocument('a: &a [1, 2, 3]\nb: *a\nc:\n  <<: {k: *a}\n', { merge: true });
    const m = measureAst(doc.contents);
    expect(m).toMatchObject({ anchors: 1, aliases: 2, cyclic: false });
    expect(m.expanded - m.nodes).toBe(8); // each alias stands for the 4 nodes of [1, 2, 3]
  });

  it('refuses a file that expands far beyond its own size, and an alias inside its own anchor', () => {
    const big = Array.from({ length: 3000 }, (_, i) => `  k${i}: v`).join('\n');
    const merges = Array.from({ length: 20 }, (_, i) => `m${i}:\n  <<: *big`).join('\n');
    expect(() => parseYamlBounded(`big: &big\n${big}\n${merges}\n`)).toThrow(expect.objectContaining({ rule: 'yaml-aliases' }));
    expect(() => parseYamlBounded('a: &x [*x]\n')).toThrow(expect.objectContaining({ rule: 'yaml-aliases' }));
  });

  it('measures nesting depth of the parsed nodes before they are turned into values', () => {
    expect(measureAst(parseDocument('['.repeat(50) + ']'.repeat(50)).contents).depth).toBe(50);
    expect(() => parseYamlBounded(`a: ${'['.repeat(70)}${']'.repeat(70)}`)).toThrow(expect.objectContaining({ rule: 'yaml-depth' }));
  });
});
