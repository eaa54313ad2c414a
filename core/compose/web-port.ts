/**
 * Apache is the only way in to an app's web port: every mapping of HOST_PORT is bound to the loopback
 * address, whatever address the catalog wrote, so the LAN reaches the app only through its vhost (and
 * its HTTPS). Other host ports a catalog entry publishes on purpose (gitlab's SSH) stay as written and
 * are listed for the owner.
 */
import { servicePorts } from '../catalog/ports';

/** Where Docker publishes the web port: Apache on the same host proxies to it. */
export const WEB_PORT_ADDRESS = '127.0.0.1';

type Services = Record<string, Record<string, unknown>>;

/** A host port published on purpose: what the install page lists. */
export interface PublishedPort {
  service: string;
  /** The host side as written: "2222", "2222-2223", or with an address "0.0.0.0:2222". */
  host: string;
  container: string;
  protocol: string;
}

function servicesOf(spec: unknown): Services {
  const s = (spec as { services?: unknown } | null)?.services;
  return s && typeof s === 'object' && !Array.isArray(s) ? (s as Services) : {};
}

function loopbackEntry(entry: unknown, container: string, protocol: string): unknown {
  if (entry && typeof entry === 'object' && !Array.isArray(entry)) return { ...(entry as Record<string, unknown>), host_ip: WEB_PORT_ADDRESS };
  return `${WEB_PORT_ADDRESS}:HOST_PORT:${container}${protocol === 'tcp' ? '' : `/${protocol}`}`;
}

/**
 * The compose value (placeholders still in place) with each HOST_PORT mapping bound to the loopback.
 * Returns a copy; services without such a mapping are the same objects.
 */
export function webPortOnLoopback<T>(spec: T): T {
  const services = servicesOf(spec);
  const out: Services = {};
  for (const [name, svc] of Object.entries(services)) {
    const ports = servicePorts(svc);
    if (!ports.some((p) => p.host.kind === 'placeholder')) {
      out[name] = svc;
      continue;
    }
    const list = svc.ports as unknown[];
    out[name] = { ...svc, ports: list.map((e, i) => (ports[i].host.kind === 'placeholder' ? loopbackEntry(e, ports[i].container, ports[i].protocol) : e)) };
  }
  return { ...(spec as object), services: out } as T;
}

function hostText(entry: unknown, from: number, to: number): string {
  const range = from === to ? String(from) : `${from}-${to}`;
  if (entry && typeof entry === 'object') {
    const ip = (entry as { host_ip?: unknown }).host_ip;
    return typeof ip === 'string' && ip ? `${ip}:${range}` : range;
  }
  const s = String(entry);
  const v6 = /^\[([^\]]*)\]:/.exec(s);
  if (v6) return `[${v6[1]}]:${range}`;
  const parts = s.replace(/\/[a-z]+$/, '').split(':');
  return parts.length === 3 ? `${parts[0]}:${range}` : range;
}

/** Host ports the compose publishes besides the web port, as written: the install page lists them. */
export function publishedOnPurpose(spec: unknown): PublishedPort[] {
  const out: PublishedPort[] = [];
  for (const [name, svc] of Object.entries(servicesOf(spec))) {
    for (const p of servicePorts(svc)) {
      if (p.host.kind !== 'fixed') continue;
      out.push({ service: name, host: hostText(p.raw, p.host.from, p.host.to), container: p.container, protocol: p.protocol });
    }
  }
  return out;
}
