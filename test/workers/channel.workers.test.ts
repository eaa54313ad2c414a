/**
 * The HDA channel inside workerd: the Worker checks the agent token and hands the upgrade to the
 * HDA's Durable Object, which holds the WebSocket (hibernation API). Keep-alive pings are answered by
 * the runtime; queueing work rings the socket; the agent claims over the protocol; the socket's end
 * is the HDA's presence; a revoked HDA's channel is closed.
 */
import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CHANNEL_PATH, CHANNEL_REVOKED } from '../../core/protocol/channel-frames';
import type { HdaChannelObject } from '../../worker/edge/hda-channel-object';

async function call(method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await SELF.fetch(`https://cp.example${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function until<T>(what: string, probe: () => Promise<T | false | null | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A socket whose frames queue up for `next()`, and whose close is remembered. */
function listen(ws: WebSocket) {
  const frames: string[] = [];
  let closed: { code: number } | null = null;
  ws.addEventListener('message', (e) => {
    frames.push(String(e.data));
  });
  ws.addEventListener('close', (e) => {
    closed = { code: e.code };
  });
  ws.accept();
  return {
    next: () => until('a frame', async () => frames.shift()),
    closed: () => until('the close', async () => closed),
  };
}

const connect = (token?: string, upgrade = true) =>
  SELF.fetch(`https://cp.example${CHANNEL_PATH}`, {
    headers: { ...(upgrade ? { upgrade: 'websocket' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });

async function enrolledHda(name: string) {
  const admin = (await call('POST', '/api/auth/login', { body: { email: 'admin@example.com', password: 'admin-password-1' } })).body.token as string;
  const hda = await call('POST', '/api/hdas', { token: admin, body: { name, domain: `${name}.example.com` } });
  const enrolled = await call('POST', '/agent/v1/enroll', { body: { code: hda.body.enrollment_code, hostname: `${name}-box` } });
  return { admin, hdaId: hda.body.hda.id as string, agent: enrolled.body.token as string };
}

describe('HDA channel on workerd: a Durable Object per HDA', () => {
  it('answers pings, rings on enqueue, hands the task to the claim, and records presence from the socket', async () => {
    const { admin, hdaId, agent } = await enrolledHda('channel-edge');
    const res = await connect(agent);
    expect(res.status).toBe(101);
    const ws = res.webSocket!;
    const socket = listen(ws);
    const hdaState = async () => (await call('GET', `/api/hdas/${hdaId}`, { token: admin })).body.hda;
    expect(await hdaState()).toMatchObject({ channel: 'open', online: true });

    ws.send('ping');
    expect(await socket.next()).toBe('pong');
    // Answered by the runtime's auto-response (which works while the object hibernates), not by its code.
    const ns = (env as { HDA_CHANNEL: DurableObjectNamespace<HdaChannelObject> }).HDA_CHANNEL;
    const channel = ns.get(ns.idFromName(hdaId));
    const answeredAt = await runInDurableObject(channel, (_o, state) => state.getWebSocketAutoResponseTimestamp(state.getWebSockets()[0]));
    expect(answeredAt).toBeInstanceOf(Date);

    const pruned = await call('POST', `/api/hdas/${hdaId}/prune`, { token: admin });
    expect(pruned.status).toBe(202);
    expect(JSON.parse(await socket.next())).toEqual({ type: 'ring' });
    const claimed = await call('GET', '/agent/v1/tasks?wait=0', { token: agent });
    expect(claimed.status).toBe(200);
    expect(claimed.body.tasks.map((t: { id: string }) => t.id)).toEqual([pruned.body.task.id]);

    const seen = Date.parse((await hdaState()).last_seen_at);
    ws.close(1000, 'agent stopping');
    const after = await until('the channel to close', async () => {
      const h = await hdaState();
      return h.channel === 'closed' && h;
    });
    expect(Date.parse(after.last_seen_at)).toBeGreaterThanOrEqual(seen);
  });

  it('refuses an upgrade without a valid agent token, and a plain request', async () => {
    const { agent } = await enrolledHda('channel-refusals');
    expect((await connect()).status).toBe(401);
    expect((await connect(`${agent.slice(0, -4)}AAAA`)).status).toBe(401);
    const plain = await connect(agent, false);
    expect(plain.status).toBe(426);
    expect(((await plain.json()) as { message: string }).message).toMatch(/WebSocket/);
  });

  it('closes the channel of a revoked HDA, and a newer connection replaces an older one', async () => {
    const { admin, hdaId, agent } = await enrolledHda('channel-revoked');
    const first = listen((await connect(agent)).webSocket!);
    const second = listen((await connect(agent)).webSocket!);
    expect((await first.closed()).code).toBe(4000);
    expect((await call('POST', `/api/hdas/${hdaId}/revoke`, { token: admin })).status).toBe(200);
    expect((await second.closed()).code).toBe(CHANNEL_REVOKED);
    expect((await connect(agent)).status).toBe(401);
  });
});
