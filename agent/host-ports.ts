/**
 * Which host ports are in use on this machine: sockets listening in any network family the kernel
 * lists (/proc/net/tcp and tcp6, whoever owns them) and ports Docker publishes (which may bypass a
 * listening socket when its userland proxy is off). The agent checks a port here before `up`, so an
 * app is never started on a port another program holds.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type Docker from 'dockerode';

/**
 * The local ports of the sockets in one /proc/net/tcp{,6} table, listening or not: an outgoing
 * connection's local port (the kernel hands them out from a range that overlaps the HDA's) also
 * makes Docker's bind of that port fail.
 */
export function parseListening(table: string): number[] {
  const ports: number[] = [];
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4) continue;
    const port = Number.parseInt(cols[1].split(':').pop() ?? '', 16);
    if (Number.isInteger(port) && port > 0 && port <= 65535) ports.push(port);
  }
  return ports;
}

/** Every TCP port something listens on (IPv4 and IPv6); a missing table counts as empty. */
export async function listeningPorts(procRoot = '/proc'): Promise<Set<number>> {
  const out = new Set<number>();
  for (const name of ['tcp', 'tcp6']) {
    const text = await readFile(join(procRoot, 'net', name), 'utf8').catch(() => '');
    for (const p of parseListening(text)) out.add(p);
  }
  return out;
}

type Labels = Record<string, string> | undefined;

/** Host ports running containers publish, leaving out the containers `own` accepts (this install's). */
export async function dockerPublishedPorts(
  docker: Pick<Docker, 'listContainers'>,
  own: (labels: Labels) => boolean,
): Promise<{ others: Set<number>; mine: Set<number> }> {
  const others = new Set<number>();
  const mine = new Set<number>();
  for (const c of await docker.listContainers()) {
    const into = own(c.Labels) ? mine : others;
    for (const p of c.Ports ?? []) if (p.PublicPort) into.add(p.PublicPort);
  }
  return { others, mine };
}

/** Whether a socket can bind the port on every address now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '0.0.0.0', () => s.close(() => resolve(true)));
  });
}

/** The first port after `want` (wrapping to `from`) in [from, to] that `taken` does not hold; null when none. */
export function pickFreePort(want: number, from: number, to: number, taken: (port: number) => boolean): number | null {
  if (from > to) return null;
  const size = to - from + 1;
  const start = want >= from && want <= to ? want - from : 0;
  for (let i = 1; i <= size; i++) {
    const port = from + ((start + i) % size);
    if (port !== want && !taken(port)) return port;
  }
  return null;
}
