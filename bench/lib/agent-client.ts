/**
 * A small in-repo client of agent protocol v1 (core/protocol.ts) over real HTTP: just what a
 * simulated agent needs to long-poll, report events and results, and beat. It runs no containers.
 */
import type { ClaimedTask, HeartbeatInput, TaskEventInput, TaskEventsAck, TaskResultInput, TasksResponse } from '../../core/protocol';

export class ProtocolError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class AgentClient {
  constructor(
    readonly base: string,
    readonly token: string,
  ) {}

  private async call(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    if (res.status >= 300) throw new ProtocolError(res.status, `${method} ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    return res;
  }

  /** Claimed tasks, or [] when nothing came within `waitS` seconds (204). */
  async poll(waitS: number, signal?: AbortSignal): Promise<ClaimedTask[]> {
    const res = await this.call('GET', `/agent/v1/tasks?wait=${waitS}`, undefined, signal);
    if (res.status === 204) return [];
    return ((await res.json()) as TasksResponse).tasks;
  }

  async events(taskId: string, events: TaskEventInput[]): Promise<TaskEventsAck> {
    return (await this.call('POST', `/agent/v1/tasks/${taskId}/events`, events)).json() as Promise<TaskEventsAck>;
  }

  async result(taskId: string, result: TaskResultInput): Promise<void> {
    await (await this.call('POST', `/agent/v1/tasks/${taskId}/result`, result)).arrayBuffer();
  }

  async heartbeat(beat: HeartbeatInput): Promise<void> {
    await (await this.call('POST', '/agent/v1/heartbeat', beat)).arrayBuffer();
  }
}

/** The events a simulated install reports: steps opened, checked and closed, then Finalized. */
export function fakeInstallEvents(count: number): TaskEventInput[] {
  const steps = ['verify', 'render', 'policy', 'prepare', 'pull', 'mounts', 'up', 'health', 'vhost', 'reload', 'probe'];
  const events: TaskEventInput[] = [];
  for (let seq = 1; seq < count; seq++) {
    const step = steps[Math.floor((seq - 1) / 2) % steps.length];
    events.push({ seq, status: seq % 2 === 1 ? 'Starting' : 'Complete', step, message: `${step} ${seq % 2 === 1 ? 'started' : 'done'}` });
  }
  events.push({ seq: count, status: 'Finalized', message: 'installed' });
  return events;
}

/** Does what a successful agent does with a claimed task: report its events, then the result. */
export async function completeTask(client: AgentClient, task: ClaimedTask, eventCount: number): Promise<void> {
  await client.events(task.id, fakeInstallEvents(eventCount));
  await client.result(task.id, { state: 'succeeded', detail: 'simulated install', app_state: 'running' });
}
