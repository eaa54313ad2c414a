/**
 * An in-memory control plane for the agent's unit tests: a task queue, events stored and deduplicated
 * on (task, seq) like the real server, results, heartbeats, and a switch that makes it unreachable.
 */
import type { AppTaskKind, ClaimedTask, HeartbeatInput, HeartbeatResponse, TaskEventInput, TaskEventsAck, TaskOf, TaskResultInput } from '../../core/protocol';
import { ProtocolError, type ProtocolClient } from '../../agent/client';

export class FakeProtocolClient implements ProtocolClient {
  queue: ClaimedTask[] = [];
  events = new Map<string, TaskEventInput[]>();
  results = new Map<string, TaskResultInput>();
  released: string[] = [];
  heartbeats: HeartbeatInput[] = [];
  polls = 0;
  eventPosts = 0;
  /** While true every call fails like a network outage. */
  down = false;
  /** Makes the next N event posts fail like an outage. */
  failNextEventPosts = 0;

  private check(): void {
    if (this.down) throw new ProtocolError(0, 'unreachable', 'control plane unreachable: ECONNREFUSED');
  }

  async pollTasks(_waitS: number, _signal?: AbortSignal): Promise<ClaimedTask[]> {
    this.polls++;
    this.check();
    const t = this.queue.shift();
    return t ? [t] : [];
  }

  async postEvents(taskId: string, events: TaskEventInput[]): Promise<TaskEventsAck> {
    this.eventPosts++;
    this.check();
    if (this.failNextEventPosts > 0) {
      this.failNextEventPosts--;
      throw new ProtocolError(503, 'unavailable', 'try later');
    }
    const held = this.events.get(taskId) ?? [];
    let accepted = 0;
    for (const e of events) {
      if (held.some((h) => h.seq === e.seq)) continue;
      held.push(e);
      accepted++;
    }
    held.sort((a, b) => a.seq - b.seq);
    this.events.set(taskId, held);
    return { accepted, duplicates: events.length - accepted, last_seq: held.at(-1)?.seq ?? 0 };
  }

  async postResult(taskId: string, result: TaskResultInput): Promise<void> {
    this.check();
    this.results.set(taskId, result);
  }

  async releaseTask(taskId: string): Promise<boolean> {
    this.check();
    this.released.push(taskId);
    return true;
  }

  async heartbeat(input: HeartbeatInput): Promise<HeartbeatResponse> {
    this.check();
    this.heartbeats.push(input);
    return { ok: true, next_heartbeat_s: 30 };
  }

  seqs(taskId: string): number[] {
    return (this.events.get(taskId) ?? []).map((e) => e.seq);
  }
}

/** A task on install web1 of the kind given (install by default), carrying its version: what most kinds carry. */
export function fakeTask<K extends AppTaskKind = 'install'>(over: Partial<Omit<TaskOf<K>, 'kind'>> & { kind?: K } = {}): TaskOf<K> {
  return {
    id: 'task-1',
    kind: 'install',
    hda_id: 'hda-1',
    install_id: 'inst-1',
    deployment_id: 'dep-1',
    attempts: 1,
    lease_until: new Date(Date.now() + 300_000).toISOString(),
    payload: {
      install: { id: 'inst-1', identifier: 'web1', hostname: 'web1.home.test', host_port: 35001, domain: 'home.test', policy_exceptions: [] },
      version: { app: 'web', version: '1.0', kind: 'container', compose: 'services: {}\n', files: {}, steps: [] },
      signature: null,
    },
    ...over,
  } as TaskOf<K>;
}
