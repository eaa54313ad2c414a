import { describe, expect, it } from 'vitest';
import { ChunkBuffer, LogDemuxer, MAX_LINE } from '../../../agent/docker/logs';
import type { LogChunk } from '../../../core/protocol';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

describe('log demuxer', () => {
  it('keeps stdout and stderr apart, across frames and chunks split anywhere', () => {
    const lines: string[] = [];
    const d = new LogDemuxer((s, l) => lines.push(`${s}:${l}`));
    const all = Buffer.concat([frame(1, 'out one\nout '), frame(2, 'err one\n'), frame(1, 'two\n'), frame(2, 'err\r\n')]);
    // Feed it in 3-byte pieces: headers and payloads cut in the middle.
    for (let i = 0; i < all.length; i += 3) d.push(all.subarray(i, i + 3));
    d.end();
    expect(lines).toEqual(['stdout:out one', 'stderr:err one', 'stdout:out two', 'stderr:err']);
  });

  it('an unfinished last line counts at the end; very long lines are cut; a TTY stream is all stdout', () => {
    const lines: string[] = [];
    const d = new LogDemuxer((s, l) => lines.push(`${s}:${l.length > 20 ? l.length : l}`));
    d.push(frame(2, `no newline`));
    d.push(frame(1, `${'x'.repeat(MAX_LINE + 50)}\n`));
    d.end();
    expect(lines).toEqual([`stdout:${MAX_LINE}`, 'stderr:no newline']);
    const tty: string[] = [];
    const t = new LogDemuxer((s, l) => tty.push(`${s}:${l}`), true);
    t.push(Buffer.from('a\nb'));
    t.end();
    expect(tty).toEqual(['stdout:a', 'stdout:b']);
  });

  it('batches lines per container and stream', () => {
    const chunks: LogChunk[] = [];
    const b = new ChunkBuffer((c) => chunks.push(structuredClone(c)), 2);
    b.add('web', 'stdout', '1');
    b.add('web', 'stderr', 'e');
    b.add('web', 'stdout', '2'); // full: flushed now
    b.add('db', 'stdout', 'x');
    b.flush();
    expect(chunks).toEqual([
      { container: 'web', stream: 'stdout', lines: ['1', '2'] },
      { container: 'web', stream: 'stderr', lines: ['e'] },
      { container: 'db', stream: 'stdout', lines: ['x'] },
    ]);
  });
});
