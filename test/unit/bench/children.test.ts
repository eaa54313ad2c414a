/**
 * The bench's child processes (bench/lib/children.ts) when a child dies: every call settles with an
 * error naming the child and how it ended, nothing is thrown out of band (vitest fails a run on an
 * unhandled error), and the suite's failure becomes a row of the table.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startChild, type Child } from '../../../bench/lib/children';
import { machine } from '../../../bench/lib/machine';
import { renderMarkdown } from '../../../bench/lib/report';

const CHILD = fileURLToPath(new URL('./dying-child.ts', import.meta.url));
let child: Child | undefined;

afterEach(async () => {
  await child?.close();
  child = undefined;
});

describe('bench children that die', () => {
  it('a child that exits while awaited: the wait rejects naming the exit, later sends reject, close settles', async () => {
    child = await startChild(CHILD);
    const final = child.next('final', 60_000);
    await child.send({ type: 'die', code: 3 });
    await expect(final).rejects.toThrow("dying-child.ts exited with code 3 before it sent 'final'");
    expect(child.ended()).toBe('exited with code 3');
    await expect(child.send({ type: 'stop' })).rejects.toThrow(/could not send 'stop': it exited with code 3/);
    await expect(child.close()).resolves.toBeUndefined();
  }, 60_000);

  it('a child killed by a signal is named as such', async () => {
    child = await startChild(CHILD);
    const final = child.next('final', 60_000);
    child.proc.kill('SIGKILL');
    await expect(final).rejects.toThrow(/killed by SIGKILL before it sent 'final'/);
    await expect(child.send({ type: 'stop' })).rejects.toThrow(/killed by SIGKILL/);
  }, 60_000);

  it('a child that dropped its channel: a send rejects, close ends it with a signal instead', async () => {
    child = await startChild(CHILD);
    const disconnected = new Promise((resolve) => child!.proc.once('disconnect', resolve));
    await child.send({ type: 'drop-channel' });
    await disconnected;
    await expect(child.send({ type: 'close' })).rejects.toThrow(/channel is closed/);
    await child.close();
    expect(child.ended()).toBe('killed by SIGTERM');
  }, 60_000);

  it('a write that fails on the channel (EPIPE) is not a crash', async () => {
    child = await startChild(CHILD);
    const epipe = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    expect(() => child!.proc.emit('error', epipe)).not.toThrow();
  }, 60_000);

  it('a child that dies before it is ready fails the start, naming the exit', async () => {
    await expect(startChild(CHILD, { DYING_CHILD_MODE: 'die-before-ready' })).rejects.toThrow("dying-child.ts exited with code 5 before it sent 'ready'");
  }, 60_000);

  it("a suite's failure is a row of the table", () => {
    const markdown = renderMarkdown({
      machine: machine(),
      mode: 'quick',
      durationS: 1,
      loadavg: {},
      pragmas: [],
      abPragmas: [],
      errors: { scale: "agent-fleet.ts exited with code 3 before it sent 'final'" },
    });
    expect(markdown).toMatch(/\| scale \(failed\) \| agent-fleet\.ts exited with code 3 before it sent 'final' \|[^\n]*\*\*no\*\*/);
  });
});
