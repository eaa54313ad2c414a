/**
 * The HDA channel on Node, end to end: the real control plane (worker/node-server.ts) on a port and a
 * libSQL file, the real agent (`hda-agent run`, the shipped bundle) as a child process. The agent keeps
 * the WebSocket; a task queued through the API rings it and it claims with a poll that does not wait;
 * presence follows the socket; behind a proxy that refuses upgrades it long-polls; after a restart of
 * the control plane it reconnects. The agent reaches no Docker here: tasks fail at their first step
 * (claiming is what these tests watch).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAgentCommand, startAgent, type AgentProcess } from '../helpers/agent-process';
import { startControlPlane, type ControlPlane } from '../../worker/node-server';

const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' };

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An HTTP proxy to the control plane that answers every WebSocket upgrade 403, as some proxies do. */
function upgradeRefusingProxy(target: string): Promise<Server> {
  const server = createServer((req, res) => {
    const up = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('HDA channel on Node: real control plane, real agent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hda-channel-'));
  let plane: ControlPlane;
  let port = 0;
  let session = '';
  const agents: AgentProcess[] = [];

  const start = async () => {
    plane = await startControlPlane({ port, dataDir: join(dir, 'plane'), adminEmail: ADMIN.email, adminPassword: ADMIN.password, quiet: true });
    port = plane.port;
  };
  const api = async <T = any>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${plane.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${session}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  /** A new HDA with its agent enrolled against `server` and running (debug log: every poll's wait). */
  async function hdaWithAgent(name: string, server = plane.url) {
    const created = await api<{ hda: { id: string }; enrollment_code: string }>('POST', '/api/hdas', { name, domain: `${name}.example.com` });
    const env = {
      HDA_AGENT_STATE_DIR: join(dir, name, 'state'),
      HDA_AGENT_APPS_ROOT: join(dir, name, 'apps'),
      HDA_AGENT_DOCKER_SOCKET: join(dir, 'no-docker.sock'),
      HDA_AGENT_LOG_LEVEL: 'debug',
    };
    const enrolled = await runAgentCommand(['enroll', '--server', server, '--code', created.enrollment_code], env);
    expect(enrolled.code, enrolled.output).toBe(0);
    const agent = startAgent(['run'], env);
    agents.push(agent);
    return { hdaId: created.hda.id, agent };
  }

  const pollsThatClaimed = (agent: AgentProcess, taskId: string) =>
    agent.output.filter((l) => l.includes('poll answered') && l.includes(taskId)).map((l) => JSON.parse(l.slice(l.indexOf('{'))) as { wait_s: number });
  /** Queues a prune and waits for the agent to log the poll that brought it. */
  const pruneClaimed = async (hdaId: string, agent: AgentProcess) => {
    const { task } = await api<{ task: { id: string } }>('POST', `/api/hdas/${hdaId}/prune`);
    await until('the agent to claim the prune', async () => pollsThatClaimed(agent, task.id).length > 0);
    expect((await api<{ task: { state: string } }>('GET', `/api/tasks/${task.id}`)).task.state).not.toBe('queued');
    return task.id;
  };

  beforeAll(async () => {
    await start();
    const login = await fetch(`${plane.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    session = ((await login.json()) as { token: string }).token;
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop(5000);
  });
  afterAll(async () => {
    await plane?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rings the agent when work is queued: it claims with a poll that does not wait; presence follows the socket', async () => {
    const { hdaId, agent } = await hdaWithAgent('rung');
    await until('the channel to open', async () => plane.channels.isOpen(hdaId));
    const open = await api<{ hda: { channel: string; online: boolean } }>('GET', `/api/hdas/${hdaId}`);
    expect(open.hda).toMatchObject({ channel: 'open', online: true });

    const taskId = await pruneClaimed(hdaId, agent);
    expect(pollsThatClaimed(agent, taskId), agent.output.join('\n')).toEqual([expect.objectContaining({ wait_s: 0 })]);

    const before = Date.parse((await api<{ hda: { last_seen_at: string } }>('GET', `/api/hdas/${hdaId}`)).hda.last_seen_at);
    await agent.stop(5000);
    const closed = await until('the channel to close', async () => {
      const { hda } = await api<{ hda: { channel: string; last_seen_at: string } }>('GET', `/api/hdas/${hdaId}`);
      return hda.channel === 'closed' && hda;
    });
    expect(Date.parse(closed.last_seen_at)).toBeGreaterThanOrEqual(before);
  });

  it('long-polls behind a proxy that refuses the upgrade, and still gets its work', async () => {
    const proxy = await upgradeRefusingProxy(plane.url);
    try {
      const { hdaId, agent } = await hdaWithAgent('proxied', `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
      await until('the refusal', async () => agent.output.some((l) => l.includes('did not open the channel')));
      const taskId = await pruneClaimed(hdaId, agent);
      expect(plane.channels.isOpen(hdaId)).toBe(false);
      expect(pollsThatClaimed(agent, taskId), agent.output.join('\n')).toEqual([expect.objectContaining({ wait_s: 25 })]);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it('reconnects after the control plane restarts, and is rung again', async () => {
    const { hdaId, agent } = await hdaWithAgent('restarted');
    await until('the channel to open', async () => plane.channels.isOpen(hdaId));
    await plane.close();
    await start();
    await until('the channel to open again', async () => plane.channels.isOpen(hdaId), 60_000);
    expect(agent.output.filter((l) => l.includes('channel open')).length).toBe(2);
    // A long poll sent while the channel was still away may be the one that takes it: both serve.
    const taskId = await pruneClaimed(hdaId, agent);
    expect(pollsThatClaimed(agent, taskId), agent.output.join('\n')).toHaveLength(1);
  });
});
