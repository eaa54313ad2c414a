import { describe, expect, it } from 'vitest';
import { findCycles } from '../../scripts/import-cycles';

describe('import-cycle check', () => {
  it('reports a circle of three modules, and only it', () => {
    const graph = new Map([
      ['queue', ['batches']],
      ['batches', ['installs']],
      ['installs', ['queue', 'audit']],
      ['audit', []],
    ]);
    expect(findCycles(graph)).toEqual([['queue', 'batches', 'installs', 'queue']]);
  });

  it('finds nothing in a graph without circles', () => {
    expect(
      findCycles(
        new Map([
          ['a', ['b', 'c']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toEqual([]);
  });
});
