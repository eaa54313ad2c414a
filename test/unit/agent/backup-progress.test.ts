/**
 * Progress of restic runs (agent/backup/progress.ts): restic's `--json` status lines read into the
 * protocol's typed progress, at most one every interval with the latest one kept, per item, and a
 * restore measured from the bytes written under its staging folder. Against real restic in
 * test/integration/backup-progress.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bytesUnder,
  describeProgress,
  fromRestic,
  measured,
  parseResticStatus,
  RestoreMeter,
  throttled,
  throttledPerItem,
} from '../../../agent/backup/progress';
import { TaskProgressSchema, type TaskProgress } from '../../../core/protocol';

const p = (bytes_done: number, item = 'hello'): TaskProgress => ({ item, bytes_done, bytes_total: 100, fraction: bytes_done / 100 });

describe('restic status lines', () => {
  it("reads restic 0.14's backup status as typed progress that the protocol accepts", () => {
    const line = '{"message_type":"status","percent_done":0.4,"total_files":3,"files_done":1,"total_bytes":30000000,"bytes_done":12000000}';
    const got = parseResticStatus(line, 'nextcloud');
    expect(got).toEqual({ item: 'nextcloud', bytes_done: 12_000_000, bytes_total: 30_000_000, fraction: 0.4 });
    expect(TaskProgressSchema.parse(got)).toEqual(got);
  });

  it('ignores the summary, other text and broken lines', () => {
    expect(parseResticStatus('{"message_type":"summary","snapshot_id":"ab"}')).toBeUndefined();
    expect(parseResticStatus('repository 1234 opened')).toBeUndefined();
    expect(parseResticStatus('{"message_type":"status",')).toBeUndefined();
  });

  it('a status before the scan finished has no total: the bar is indeterminate, never above 100%', () => {
    expect(fromRestic({ fraction: 0, bytesDone: 5, totalBytes: 0 })).toEqual({ bytes_done: 5, bytes_total: null, fraction: 0 });
    expect(fromRestic({ fraction: 1.2, bytesDone: 150, totalBytes: 100 })).toEqual({ bytes_done: 100, bytes_total: 100, fraction: 1 });
  });

  it('says it in words for the event message', () => {
    expect(describeProgress({ item: 'notes', bytes_done: 1024 * 1024, bytes_total: 4 * 1024 * 1024, fraction: 0.25 })).toBe('notes: 25% (1.0 MiB of 4.0 MiB)');
    expect(describeProgress(measured(3 * 1024 * 1024, null))).toBe('(3.0 MiB, measured on disk)');
  });
});

describe('throttling', () => {
  it('sends the first at once, then at most one per interval, keeping the latest for flush', () => {
    let now = 0;
    const sent: TaskProgress[] = [];
    const t = throttled(
      (x) => sent.push(x),
      2000,
      () => now,
    );
    t.push(p(10));
    now = 500;
    t.push(p(20));
    now = 1900;
    t.push(p(30));
    expect(sent.map((x) => x.bytes_done)).toEqual([10]);
    now = 2000;
    t.push(p(40));
    expect(sent.map((x) => x.bytes_done)).toEqual([10, 40]);
    now = 2100;
    t.push(p(100));
    t.flush();
    t.flush();
    expect(sent.map((x) => x.bytes_done)).toEqual([10, 40, 100]);
  });

  it('one app never holds back another', () => {
    const sent: TaskProgress[] = [];
    const t = throttledPerItem((x) => sent.push(x), 60_000);
    t.push(p(10, 'a'));
    t.push(p(10, 'b'));
    t.push(p(90, 'a'));
    t.flush();
    expect(sent.map((x) => `${x.item}:${x.bytes_done}`)).toEqual(['a:10', 'b:10', 'a:90']);
  });
});

describe('a restore measured on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'progress-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts regular files only, not what a link points to', () => {
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', 'one'), Buffer.alloc(300));
    writeFileSync(join(dir, 'a', 'b', 'two'), Buffer.alloc(700));
    symlinkSync('/etc/passwd', join(dir, 'a', 'link'));
    expect(bytesUnder(join(dir, 'a'))).toBe(1000);
    expect(bytesUnder(join(dir, 'missing'))).toBe(0);
  });

  it('adds path after path into one bar that ends at what was written, marked approximate', async () => {
    const sent: TaskProgress[] = [];
    const meter = new RestoreMeter(2000, (x) => sent.push(x), 'hello', 60_000);
    const first = join(dir, 'stage1');
    await meter.run(first, async () => {
      mkdirSync(first);
      writeFileSync(join(first, 'f'), Buffer.alloc(1200));
    });
    const second = join(dir, 'stage2');
    await meter.run(second, async () => {
      mkdirSync(second);
      writeFileSync(join(second, 'g'), Buffer.alloc(800));
    });
    const last = sent[sent.length - 1];
    expect(last).toEqual({ item: 'hello', bytes_done: 2000, bytes_total: 2000, fraction: 1, approximate: true });
    expect(sent[0].bytes_done).toBe(0);
    for (const x of sent) expect(TaskProgressSchema.parse(x)).toEqual(x);
  });

  it('a failed restore stops measuring and fails as it did', async () => {
    const meter = new RestoreMeter(null, () => undefined);
    await expect(meter.run(join(dir, 'x'), () => Promise.reject(new Error('no space left on device')))).rejects.toThrow('no space left');
  });
});
