/**
 * Namespace and sharing modes (network_mode, pid, ipc, uts, userns_mode, volumes_from): only the
 * values this table names are accepted; `host` needs an owner exception, `container:` is refused.
 */
import type { RuleId } from './ids';
import type { ServiceScope } from './context';

type ModeKey = 'network_mode' | 'pid' | 'ipc' | 'uts' | 'userns_mode';

/** Per key: the plain values allowed, the rule `host` raises, whether `service:<name>` is allowed. */
const MODES: Record<ModeKey, { plain: string[]; host: RuleId; service: boolean }> = {
  network_mode: { plain: ['bridge', 'none', 'default'], host: 'host-network', service: true },
  pid: { plain: [], host: 'host-pid', service: true },
  ipc: { plain: ['private', 'shareable', 'none'], host: 'host-ipc', service: true },
  uts: { plain: [], host: 'host-namespace', service: false },
  userns_mode: { plain: [], host: 'host-namespace', service: false },
};

export function checkMode(key: ModeKey) {
  return (value: string | null, s: ServiceScope): void => {
    if (value === null) return;
    const v = value.trim();
    const mode = MODES[key];
    if (v.toLowerCase() === 'host') return s.raise(mode.host, `shares a host namespace (${key}: host)`, key);
    if (v.startsWith('container:')) return s.raise('other-container', `joins the namespace of a container outside the app (${key}: ${v})`, key);
    if (mode.service && v.startsWith('service:')) return checkServiceRef(v.slice('service:'.length), key, s, key);
    if (!mode.plain.includes(v))
      s.raise('unrecognized-value', `${key}: "${v}" is not one of ${[...mode.plain, 'host', ...(mode.service ? ['service:<name>'] : [])].join(', ')}`, key);
  };
}

export function checkVolumesFrom(list: string[], s: ServiceScope): void {
  for (const [i, entry] of list.entries()) {
    if (entry.startsWith('container:')) {
      s.raise('other-container', `mounts the volumes of a container outside the app (volumes_from: ${entry})`, 'volumes_from', i);
      continue;
    }
    const ref = entry.startsWith('service:') ? entry.slice('service:'.length) : entry;
    checkServiceRef(ref.split(':')[0], 'volumes_from', s, 'volumes_from', i);
  }
}

export function checkServiceRef(name: string, what: string, s: ServiceScope, ...path: Array<string | number>): void {
  if (!Object.hasOwn(s.ctx.spec.services, name)) s.raise('missing-reference', `${what} names the service "${name}", which this file does not define`, ...path);
}
