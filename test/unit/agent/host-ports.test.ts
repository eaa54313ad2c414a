/**
 * The agent's knowledge of host ports: the kernel's listening sockets (read for real from /proc),
 * the free-port choice in the HDA's range, and the ports step that moves an automatic port off a
 * taken one and refuses an owner's taken choice before anything changes.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listeningPorts, parseListening, pickFreePort } from '../../../agent/host-ports';
import { portsStep } from '../../../agent/executor/ports';
import { StepFailure, type ExecutorDeps, type StepContext } from '../../../agent/executor/types';
import type { InstallRecord } from '../../../agent/installs';
import { fakeTask } from '../../helpers/fake-protocol';

const TCP_TABLE = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:88B9 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0
   2: 0100007F:88BA 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 20 4 30 10 -1
`;

describe('listening sockets', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });

  it('reads the local port of every row of a /proc/net/tcp table: listening sockets and outgoing connections alike', () => {
    expect(parseListening(TCP_TABLE)).toEqual([0x88b9, 8080, 0x88ba]);
    expect(parseListening('')).toEqual([]);
  });

  it('sees a port a program outside the agent listens on, on 127.0.0.1 or on IPv6', async () => {
    const listen = (host: string) =>
      new Promise<number>((resolve) => {
        const s = createServer();
        servers.push(s);
        s.listen(0, host, () => resolve((s.address() as { port: number }).port));
      });
    const v4 = await listen('127.0.0.1');
    const v6 = await listen('::');
    const seen = await listeningPorts();
    expect(seen.has(v4)).toBe(true);
    expect(seen.has(v6)).toBe(true);
  });
});

describe('free-port choice', () => {
  it('takes the next port after the wanted one that nothing holds, wrapping to the start of the range', () => {
    const taken = new Set([35001, 35002, 35004]);
    expect(pickFreePort(35001, 35001, 35010, (p) => taken.has(p))).toBe(35003);
    expect(pickFreePort(35010, 35001, 35010, (p) => taken.has(p))).toBe(35003);
    expect(pickFreePort(35001, 35001, 35002, () => true)).toBeNull();
    // A wanted port outside the range (an owner's old choice) starts the search at the range's start.
    expect(pickFreePort(8080, 35001, 35010, (p) => taken.has(p))).toBe(35003);
  });
});

interface Fakes {
  listening?: number[];
  containers?: Array<{ Labels: Record<string, string>; Ports: Array<{ PublicPort?: number }> }>;
  records?: Partial<InstallRecord>[];
  fixed?: boolean;
  held?: number[];
}

function portsCtx(f: Fakes) {
  const notes: string[] = [];
  const task = fakeTask();
  task.payload.install.port_fixed = f.fixed;
  task.payload.ports = { held: f.held ?? [], from: 35001, to: 35010 };
  const records = (f.records ?? []) as InstallRecord[];
  const deps = {
    config: { namespace: '' },
    installs: { list: () => records, get: (id: string) => records.find((r) => r.identifier === id) },
    docker: { docker: async () => ({ listContainers: async () => f.containers ?? [] }), reset: () => {} },
    listeningPorts: async () => new Set(f.listening ?? []),
  } as unknown as ExecutorDeps;
  const ctx = {
    task,
    deps,
    signal: new AbortController().signal,
    work: {
      identifier: 'web1',
      appDir: '/x/web1',
      made: { target: { composeFile: '/x/c.yml', project: 'web1', hostPort: 35001, installPort: 35001, slot: 'a' } },
      secrets: {},
    },
    report: { ok: (m: string) => notes.push(m), warn: (m: string) => notes.push(m), progress: () => {} },
  } as unknown as StepContext;
  return { ctx, notes };
}

describe('ports step', () => {
  it('keeps a free port', async () => {
    const { ctx } = portsCtx({ listening: [22, 80] });
    expect(await portsStep.run(ctx)).toBe('host port 35001 is free');
    expect(ctx.work.made.target.hostPort).toBe(35001);
  });

  it('moves an automatic port another program listens on to the next port no program and no other install holds', async () => {
    const { ctx, notes } = portsCtx({
      listening: [35001],
      containers: [{ Labels: { 'com.docker.compose.project': 'other' }, Ports: [{ PublicPort: 35002 }] }],
      records: [{ identifier: 'app2', host_port: 35003 }],
      held: [35004],
    });
    expect(await portsStep.run(ctx)).toBe('moved to host port 35005');
    expect(ctx.work.made.target).toMatchObject({ hostPort: 35005, installPort: 35005, project: 'web1' });
    expect(notes.join('\n')).toContain('host port 35001 is used by another program on the HDA');
  });

  it("never moves an owner's port: the step fails with the words and changes nothing", async () => {
    const { ctx } = portsCtx({ listening: [35001], fixed: true });
    await expect(portsStep.run(ctx)).rejects.toThrow(StepFailure);
    await expect(portsStep.run(ctx)).rejects.toThrow('port 35001 is used by another program on the HDA; choose another port for web1');
    expect(ctx.work.made.target.hostPort).toBe(35001);
  });

  it("does not count the install's own containers (Docker's proxy listens on their ports) as another program", async () => {
    const { ctx } = portsCtx({
      listening: [35001],
      containers: [{ Labels: { 'com.docker.compose.project': 'web1' }, Ports: [{ PublicPort: 35001 }] }],
      fixed: true,
    });
    expect(await portsStep.run(ctx)).toBe('host port 35001 is free');
  });

  it('a run again after an earlier move keeps the port it moved to', async () => {
    const { ctx } = portsCtx({ listening: [35001], records: [{ identifier: 'web1', host_port: 35007 }] });
    expect(await portsStep.run(ctx)).toBe('moved to host port 35007');
  });

  it('a reconfigure of an app that never ran here fails before anything changes', async () => {
    const { ctx } = portsCtx({});
    ctx.task.kind = 'reconfigure';
    await expect(portsStep.run(ctx)).rejects.toThrow(/has not run on this HDA yet/);
  });
});
