/**
 * Faults: the control plane unreachable while a task runs, then back. The agent's poll loop backs off
 * (up to a minute) while polls fail; the task in hand finishes and posts its result once the control
 * plane is back, yet the loop used to sleep out its backoff before asking for the next task, so a task
 * queued during the outage started up to a minute late (32 s measured after a one-minute outage in
 * the soak run). A main task that finishes now cuts that sleep short.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { ClaimedTask } from '../../core/protocol';
import { Backoff, sleep } from '../../agent/backoff';
import { EventSender } from '../../agent/events';
import { Journal } from '../../agent/journal';
import { silentLogger } from '../../agent/log';
import { PollLoop } from '../../agent/poll';
import { FakeProtocolClient, fakeTask } from '../helpers/fake-protocol';

it('after an outage, the task queued meanwhile starts as soon as the task in hand is done, not after the poll backoff', async () => {
  const client = new FakeProtocolClient();
  client.queue.push(fakeTask({ id: 'in-hand' }));
  const stop = new AbortController();
  let firstDone = 0;
  let nextStarted = 0;
  const execute = async (t: ClaimedTask) => {
    if (t.id === 'in-hand') {
      client.down = true; // polls fail while the task runs: 400, 800, 1600 ms of backoff...
      await sleep(1500);
      client.down = false;
      client.queue.push(fakeTask({ id: 'queued-meanwhile' }));
      firstDone = Date.now();
      return 'succeeded' as const;
    }
    nextStarted = Date.now();
    stop.abort();
    return 'succeeded' as const;
  };
  const dir = mkdtempSync(join(tmpdir(), 'hda-faults-poll-'));
  const journal = new Journal(dir);
  const loop = new PollLoop({
    client,
    executor: { execute },
    journal,
    sender: new EventSender(journal, client, silentLogger),
    log: silentLogger,
    waitS: 25,
    minIdleMs: 10,
    backoff: new Backoff({ baseMs: 400, capMs: 10_000, random: () => 1 }),
  });
  setTimeout(() => stop.abort(), 8000);
  await loop.run({ stop: stop.signal, abortWork: new AbortController().signal });
  rmSync(dir, { recursive: true, force: true });
  expect(nextStarted, 'the task queued meanwhile ran').toBeGreaterThan(0);
  expect(nextStarted - firstDone).toBeLessThan(300);
});
