/**
 * Compose port mappings in short (`[IP:][HOST:]CONTAINER[/PROTO]`) and long (`{ target, published }`)
 * syntax, reduced to what the policy needs: the host side, as the HOST_PORT placeholder, a fixed port
 * or range, or none (container-only / ephemeral).
 */
export type HostSide = { kind: 'none' } | { kind: 'placeholder' } | { kind: 'fixed'; from: number; to: number } | { kind: 'invalid'; reason: string };

export interface PortMapping {
  index: number;
  raw: unknown;
  host: HostSide;
  container: string;
  protocol: string;
}

function hostSide(h: string | number | undefined | null): HostSide {
  if (h === undefined || h === null || h === '') return { kind: 'none' };
  const s = String(h).trim();
  if (s === 'HOST_PORT') return { kind: 'placeholder' };
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s);
  if (!m) return { kind: 'invalid', reason: `host port "${s}" is not a number, a range or HOST_PORT` };
  const from = Number(m[1]);
  const to = m[2] ? Number(m[2]) : from;
  if (from < 1 || to > 65535 || to < from) return { kind: 'invalid', reason: `host port "${s}" is out of range` };
  return { kind: 'fixed', from, to };
}

export function parsePort(entry: unknown, index: number): PortMapping {
  const base = { index, raw: entry };
  if (typeof entry === 'number') return { ...base, host: { kind: 'none' }, container: String(entry), protocol: 'tcp' };
  if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
    const e = entry as Record<string, unknown>;
    const published = e.published as string | number | undefined;
    return { ...base, host: hostSide(published), container: String(e.target ?? ''), protocol: String(e.protocol ?? 'tcp') };
  }
  if (typeof entry !== 'string')
    return { ...base, host: { kind: 'invalid', reason: 'a port mapping must be a string, a number or a mapping' }, container: '', protocol: 'tcp' };
  let s = entry.trim();
  let protocol = 'tcp';
  const slash = s.lastIndexOf('/');
  if (slash >= 0) {
    protocol = s.slice(slash + 1);
    s = s.slice(0, slash);
  }
  // An IPv6 host address is bracketed: [::1]:8080:80
  let ip = '';
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(s);
  if (v6) {
    ip = v6[1];
    s = v6[2];
  }
  const parts = s.split(':');
  let host: string | undefined;
  let container: string;
  if (parts.length === 1) container = parts[0];
  else if (parts.length === 2) [host, container] = parts;
  else if (parts.length === 3 && !ip) [ip, host, container] = parts;
  else return { ...base, host: { kind: 'invalid', reason: `port mapping "${entry}" has too many ":"` }, container: '', protocol };
  const side = hostSide(host);
  const containerOk = /^(\d{1,5}(-\d{1,5})?|HOST_PORT)$/.test(container);
  if (!containerOk) return { ...base, host: { kind: 'invalid', reason: `container port "${container}" is not a number or range` }, container, protocol };
  if (!['tcp', 'udp', 'sctp'].includes(protocol))
    return { ...base, host: { kind: 'invalid', reason: `protocol "${protocol}" is not tcp, udp or sctp` }, container, protocol };
  return { ...base, host: side, container, protocol };
}

export function servicePorts(service: Record<string, unknown>): PortMapping[] {
  const ports = service.ports;
  if (ports === undefined || ports === null) return [];
  if (!Array.isArray(ports)) return [{ index: 0, raw: ports, host: { kind: 'invalid', reason: '"ports" must be a list' }, container: '', protocol: 'tcp' }];
  return ports.map(parsePort);
}

/** Every fixed host port the compose file binds (ranges expanded, capped), for collision checks. */
export function listHostPorts(doc: { value: { services: Record<string, Record<string, unknown>> } }, hostPort?: number): number[] {
  const out = new Set<number>();
  for (const svc of Object.values(doc.value.services)) {
    for (const p of servicePorts(svc)) {
      if (p.host.kind === 'placeholder' && hostPort) out.add(hostPort);
      if (p.host.kind === 'fixed') for (let n = p.host.from; n <= p.host.to && n - p.host.from < 1024; n++) out.add(n);
    }
  }
  return [...out].sort((a, b) => a - b);
}
