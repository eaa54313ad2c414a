/**
 * Fixed container names block a second install and a blue/green switch (Docker names are global). At
 * publish each `container_name` is removed and kept as a network alias of its service on every network
 * it joins, so services that address each other by that name still resolve; Compose names containers
 * by project, which is the install identifier.
 */
import type { Severity } from '../catalog/types';
import type { Service } from './schema/service';
import type { ComposeModelSpec } from './schema/top';

export interface NameNote {
  severity: Severity;
  service: string;
  message: string;
}

type Networks = NonNullable<Service['networks']>;

function withAlias(networks: Networks | undefined, alias: string): Networks {
  if (networks === undefined) return { default: { aliases: [alias] } };
  const entries: Array<[string, unknown]> = Array.isArray(networks) ? networks.map((n) => [n, null]) : Object.entries(networks);
  const out: Record<string, unknown> = {};
  for (const [name, cfg] of entries) {
    const c = (cfg ?? {}) as { aliases?: string[] };
    out[name] = { ...c, aliases: [...new Set([...(c.aliases ?? []), alias])] };
  }
  return out as Networks;
}

/** The spec without container names (a copy), and a note per service saying what became of its name. */
export function replaceContainerNames(spec: ComposeModelSpec): { spec: ComposeModelSpec; notes: NameNote[] } {
  const notes: NameNote[] = [];
  const services: Record<string, Service> = {};
  for (const [name, svc] of Object.entries(spec.services)) {
    const { container_name: cname, ...rest } = svc;
    if (cname === undefined) {
      services[name] = svc;
      continue;
    }
    const removed = `service "${name}": container_name "${cname}" removed so the app can be installed twice and switched blue/green`;
    if (rest.network_mode !== undefined) {
      notes.push({
        severity: 'warning',
        service: name,
        message: `${removed}; with network_mode "${rest.network_mode}" it cannot carry a network alias, so "${cname}" no longer resolves`,
      });
      services[name] = rest;
    } else if (cname === name) {
      notes.push({ severity: 'info', service: name, message: `${removed}; the service name "${name}" resolves as before` });
      services[name] = rest;
    } else {
      notes.push({ severity: 'info', service: name, message: `${removed}; "${cname}" stays reachable as a network alias of the service` });
      services[name] = { ...rest, networks: withAlias(rest.networks, cname) };
    }
  }
  return { spec: { ...spec, services }, notes };
}
