import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../../agent/journal';
import { fakeTask } from '../../helpers/fake-protocol';

const dir = () => mkdtempSync(join(tmpdir(), 'hda-journal-'));

describe('journal', () => {
  it('numbers events from 1 and keeps them on disk until acknowledged', () => {
    const d = dir();
    const j = new Journal(d);
    j.begin(fakeTask());
    expect(j.append('task-1', { status: 'Starting', message: 'a', step: 'verify' }).seq).toBe(1);
    expect(j.append('task-1', { status: 'Complete', message: 'b', step: 'verify' }).seq).toBe(2);
    expect(j.append('task-1', { status: 'Starting', message: 'c', step: 'render' }).seq).toBe(3);
    j.ack('task-1', 2);
    // A new process (restart) sees only what was not acknowledged, and the sequence continues.
    const again = new Journal(d);
    expect(again.get('task-1')!.pending.map((e) => e.seq)).toEqual([3]);
    expect(again.append('task-1', { status: 'OK', message: 'd' }).seq).toBe(4);
    const files = readdirSync(join(d, 'journal'));
    expect(files).toEqual(['task-1.json']);
    expect(statSync(join(d, 'journal', files[0])).mode & 0o077).toBe(0);
  });

  it('counts runs of a task and remembers the task in hand across restarts', () => {
    const d = dir();
    new Journal(d).begin(fakeTask());
    const rec = new Journal(d).begin(fakeTask());
    expect(rec.runs).toBe(2);
    expect(new Journal(d).list().map((r) => r.task?.id)).toEqual(['task-1']);
  });

  it('keeps the sequence of a released task but no longer holds it in hand', () => {
    const d = dir();
    const j = new Journal(d);
    j.begin(fakeTask());
    j.append('task-1', { status: 'Starting', message: 'x' });
    j.release('task-1');
    const again = new Journal(d);
    expect(again.get('task-1')!.task).toBeUndefined();
    again.begin(fakeTask());
    expect(again.append('task-1', { status: 'Starting', message: 'y' }).seq).toBe(2);
  });

  it('forgets a finished task and maps odd task ids to safe file names', () => {
    const d = dir();
    const j = new Journal(d);
    j.begin(fakeTask({ id: '../../etc/passwd' }));
    j.append('../../etc/passwd', { status: 'OK', message: 'x' });
    const names = readdirSync(join(d, 'journal'));
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^[0-9a-f]{64}\.json$/);
    j.finish('../../etc/passwd');
    expect(readdirSync(join(d, 'journal'))).toEqual([]);
  });
});
