import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClaimedTask } from '../../../core/protocol';
import { Backoff } from '../../../agent/backoff';
import { EventSender } from '../../../agent/events';
import type { TaskOutcome } from '../../../agent/executor/index';
import { Journal } from '../../../agent/journal';
import { silentLogger } from '../../../agent/log';
import { PollLoop } from '../../../agent/poll';
import { FakeProtocolClient, fakeTask } from '../../helpers/fake-protocol';

function loop(
  client: FakeProtocolClient,
  execute: (t: ClaimedTask, s: AbortSignal) => Promise<TaskOutcome>,
  opts: { backoff?: Backoff; minIdleMs?: number } = {},
) {
  const journal = new Journal(mkdtempSync(join(tmpdir(), 'hda-poll-')));
  const sender = new EventSender(journal, client, silentLogger);
  return { journal, loop: new PollLoop({ client, executor: { execute }, journal, sender, log: silentLogger, waitS: 25, ...opts }) };
}

function signals() {
  const stop = new AbortController();
  const work = new AbortController();
  return { stop, work, s: { stop: stop.signal, abortWork: work.signal } };
}

describe('poll loop', () => {
  it('never spins on a server that answers "nothing" at once', async () => {
    const client = new FakeProtocolClient();
    const { loop: l } = loop(client, async () => 'succeeded', { minIdleMs: 100 });
    const { stop, s } = signals();
    setTimeout(() => stop.abort(), 450);
    await l.run(s);
    expect(client.polls).toBeGreaterThanOrEqual(3);
    expect(client.polls).toBeLessThanOrEqual(6);
  });

  it('backs off with growing delays while the control plane is unreachable, then recovers', async () => {
    const client = new FakeProtocolClient();
    client.down = true;
    const ran: string[] = [];
    const { loop: l } = loop(client, async (t) => (ran.push(t.id), 'succeeded'), {
      backoff: new Backoff({ baseMs: 20, capMs: 200, random: () => 1 }),
      minIdleMs: 10,
    });
    const { stop, s } = signals();
    let pollsDuringOutage = 0;
    setTimeout(() => {
      pollsDuringOutage = client.polls;
      client.down = false;
      client.queue.push(fakeTask({ id: 'after-outage' }));
    }, 400);
    setTimeout(() => stop.abort(), 700);
    await l.run(s);
    // 20+40+80+160+200... ms: a handful of attempts in 400 ms, not hundreds.
    expect(pollsDuringOutage).toBeGreaterThanOrEqual(3);
    expect(pollsDuringOutage).toBeLessThanOrEqual(7);
    expect(ran).toEqual(['after-outage']);
  });

  it('runs claimed tasks one at a time in the order they come', async () => {
    const client = new FakeProtocolClient();
    client.queue.push(fakeTask({ id: 'a' }), fakeTask({ id: 'b' }));
    const ran: string[] = [];
    let active = 0;
    const { loop: l } = loop(
      client,
      async (t) => {
        active++;
        expect(active).toBe(1);
        await new Promise((r) => setTimeout(r, 20));
        ran.push(t.id);
        active--;
        return 'succeeded';
      },
      { minIdleMs: 10 },
    );
    const { stop, s } = signals();
    setTimeout(() => stop.abort(), 200);
    await l.run(s);
    expect(ran).toEqual(['a', 'b']);
  });

  it('hands an interrupted task back to the control plane', async () => {
    const client = new FakeProtocolClient();
    client.queue.push(fakeTask({ id: 'x' }));
    const { stop, s } = signals();
    const { loop: l, journal } = loop(client, async (t) => {
      journal.begin(t);
      stop.abort();
      return 'interrupted';
    });
    await l.run(s);
    expect(client.released).toEqual(['x']);
    expect(journal.get('x')?.task).toBeUndefined();
  });

  it('resumes a task left in hand by a previous run before polling', async () => {
    const client = new FakeProtocolClient();
    const ran: string[] = [];
    const { loop: l, journal } = loop(client, async (t) => (ran.push(t.id), 'succeeded'), { minIdleMs: 10 });
    journal.begin(fakeTask({ id: 'left-over' }));
    const { stop, s } = signals();
    setTimeout(() => stop.abort(), 50);
    await l.run(s);
    expect(ran[0]).toBe('left-over');
  });
  it('runs a logs task beside a long main task instead of after it', async () => {
    const client = new FakeProtocolClient();
    client.queue.push(fakeTask({ id: 'long-update', kind: 'update' }));
    let mainDone = false;
    let logsRanDuringMain = false;
    let releaseMain!: () => void;
    const { loop: l } = loop(
      client,
      async (t) => {
        if (t.kind === 'logs') {
          logsRanDuringMain = !mainDone;
          releaseMain();
          return 'succeeded';
        }
        // The update only finishes once the logs task has run: it would hang if logs waited behind it.
        client.queue.push(fakeTask({ id: 'logs-1', kind: 'logs' }));
        await new Promise<void>((r) => (releaseMain = r));
        mainDone = true;
        return 'succeeded';
      },
      { minIdleMs: 5 },
    );
    const { stop, s } = signals();
    const guard = setTimeout(() => stop.abort(), 5000);
    const ran = l.run(s);
    while (!mainDone) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    await ran;
    clearTimeout(guard);
    expect(logsRanDuringMain).toBe(true);
  });

  it('hands back main tasks it claimed but had not started when it stops', async () => {
    const client = new FakeProtocolClient();
    client.queue.push(fakeTask({ id: 'first' }), fakeTask({ id: 'second' }));
    const { stop, s } = signals();
    const ran: string[] = [];
    const { loop: l } = loop(
      client,
      async (t) => {
        ran.push(t.id);
        // "second" is claimed while "first" runs; the agent is told to stop before it starts.
        while (client.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
        await new Promise((r) => setTimeout(r, 20));
        stop.abort();
        return 'succeeded';
      },
      { minIdleMs: 5 },
    );
    await l.run(s);
    expect(ran).toEqual(['first']);
    expect(client.released).toEqual(['second']);
  });
});
