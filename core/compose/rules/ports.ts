/**
 * The value rules of a service's `ports`: the web UI on HOST_PORT (or the install's port on the host),
 * other host ports fixed above 1024 and free on this HDA.
 */
import { parsePort } from '../../catalog/ports';
import type { Service } from '../schema/service';
import type { ServiceScope } from './context';

type PortEntry = NonNullable<Service['ports']>[number];

export function checkPorts(ports: PortEntry[], s: ServiceScope): void {
  const { opts } = s.ctx;
  const used = new Set(opts.usedHostPorts ?? []);
  for (const [i, entry] of ports.entries()) {
    const p = parsePort(entry, i);
    if (p.host.kind === 'invalid') {
      s.raise('port-syntax', p.host.reason, 'ports', i);
      continue;
    }
    if (p.host.kind === 'placeholder') {
      s.ctx.appPortSeen = true;
      continue;
    }
    if (p.host.kind !== 'fixed') continue;
    const { from, to } = p.host;
    const label = from === to ? String(from) : `${from}-${to}`;
    if (opts.hostPort !== undefined && from === opts.hostPort && to === from) {
      s.ctx.appPortSeen = true;
      continue;
    }
    if (from < 1024) s.raise('low-host-port', `host port ${label} is below 1024 (reserved for system services)`, 'ports', i);
    const clash = [...used].filter((u) => u >= from && u <= to);
    if (clash.length) s.raise('host-port-collision', `host port ${clash.join(', ')} is already used by another install on this HDA`, 'ports', i);
    if (opts.phase === 'publish' || opts.hostPort !== undefined) {
      s.raise('fixed-host-port', `fixed host port ${label} is not HOST_PORT; a second install, or another app using it, will collide`, 'ports', i);
    }
  }
}
