/**
 * Enqueue and notify are one operation: every way work reaches an HDA's queue rings its channel, and
 * so do the moments its next task becomes claimable (a main task's end, a task handed back). A
 * revoked HDA's channel is closed. The hub here is the Node plane's own (worker/channel/hub.ts), with a
 * recording socket in place of a WebSocket.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { RING_FRAME } from '../../core/protocol/channel-frames';
import type { ChannelHub } from '../../worker/channel/hub';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../helpers/plane';

let plane: TestPlane;
let owner: { token: string; id: string };
beforeEach(async () => {
  plane = await createTestPlane({ leaseS: 60 });
  owner = await plane.user('owner');
});

function recordingSocket(hdaId: string) {
  const socket = {
    rings: 0,
    closed: [] as number[],
    send: (text: string) => void (text === RING_FRAME && socket.rings++),
    close: (code: number) => void socket.closed.push(code),
  };
  (plane.deps.doorbell as ChannelHub).attach(hdaId, socket);
  return socket;
}

describe('the queue rings the HDA', () => {
  it('on every enqueue (install, logs, prune, limits, an action, fleet), on a main task ending and on a hand-back', async () => {
    await publishApp(plane, 'hello');
    const { hdaId, agentToken } = await enrolledHda(plane, owner.token);
    const socket = recordingSocket(hdaId);
    const rings = async (what: string, act: () => Promise<{ status: number }>, expected = 1) => {
      const before = socket.rings;
      const r = await act();
      expect(r.status, what).toBeLessThan(300);
      expect(socket.rings - before, what).toBe(expected);
    };
    const post =
      (path: string, body?: unknown, method = 'POST') =>
      () =>
        plane.json(method, path, { token: owner.token, body });

    let installId = '';
    await rings('install', async () => {
      const r = await plane.json('POST', `/api/hdas/${hdaId}/installs`, { token: owner.token, body: { app: 'hello' } });
      installId = r.body.install.id;
      return r;
    });
    const install = (await plane.json('GET', `/agent/v1/tasks?wait=0`, { token: agentToken })).body.tasks[0];
    // The agent's result ends the main task: the next one may be claimed now.
    await rings('result', () => plane.json('POST', `/agent/v1/tasks/${install.id}/result`, { token: agentToken, body: { state: 'succeeded', detail: 'ok' } }));
    await rings('logs', post(`/api/installs/${installId}/logs`, { tail: 10 }));
    await rings('prune', post(`/api/hdas/${hdaId}/prune`));
    await rings('limits', post(`/api/installs/${installId}/limits`, { memory_mb: 256 }, 'PUT'));
    const claimed = (await plane.json('GET', `/agent/v1/tasks?wait=0`, { token: agentToken })).body.tasks;
    await rings('hand-back', () => plane.json('POST', `/agent/v1/tasks/${claimed[0].id}/release`, { token: agentToken, body: {} }));
    await rings('stop', post(`/api/installs/${installId}/actions`, { action: 'stop' }));

    const other = await enrolledHda(plane, owner.token, 'office', 'office.example.com');
    const otherSocket = recordingSocket(other.hdaId);
    const batch = await plane.json('POST', '/api/batches', { token: owner.token, body: { app: 'hello', hdas: [other.hdaId] } });
    expect(batch.status).toBe(201);
    expect(otherSocket.rings).toBe(1);
  });

  it('closes the channel of a revoked HDA', async () => {
    const { hdaId } = await enrolledHda(plane, owner.token);
    const socket = recordingSocket(hdaId);
    expect((await plane.json('POST', `/api/hdas/${hdaId}/revoke`, { token: owner.token })).status).toBe(200);
    expect(socket.closed).toEqual([4001]);
  });
});
