/**
 * Compose v2 as the testbed runs it (2.26): the Compose Specification less what this version refuses
 * or silently drops. Each entry was tried on the real `docker compose config`.
 */
import type { ComposeSpec } from '../catalog/compose';
import { isMap } from './sources';

/** Service keys 2.26 refuses (provider, use_api_socket, models) or reads and drops (label_file). */
const V2_UNKNOWN_SERVICE_KEYS = ['provider', 'use_api_socket', 'models', 'label_file'];
/** Keys of a service's network entry that 2.26 refuses (interface_name) or drops (gw_priority). */
const V2_UNKNOWN_NETWORK_KEYS = ['interface_name', 'gw_priority'];
const V2_UNKNOWN_BUILD_KEYS = ['provenance', 'sbom'];
const V2_UNKNOWN_TOP_KEYS = ['models'];
const V2_PULL_POLICIES = new Set(['always', 'never', 'if_not_present', 'build', 'missing']);

export function v2Reasons(spec: ComposeSpec): string[] {
  const reasons: string[] = [];
  for (const k of V2_UNKNOWN_TOP_KEYS) if (k in spec) reasons.push(`top-level "${k}" is newer than Compose 2.26`);
  for (const [name, svc] of Object.entries(spec.services)) {
    const say = (m: string) => reasons.push(`service "${name}": ${m} is newer than Compose 2.26`);
    for (const k of V2_UNKNOWN_SERVICE_KEYS) if (k in svc) say(`"${k}"`);
    if (isMap(svc.build)) for (const k of V2_UNKNOWN_BUILD_KEYS) if (k in svc.build) say(`build "${k}"`);
    if (isMap(svc.networks)) {
      for (const [n, def] of Object.entries(svc.networks))
        if (isMap(def)) for (const k of V2_UNKNOWN_NETWORK_KEYS) if (k in def) say(`networks "${n}": "${k}"`);
    }
    if (typeof svc.pull_policy === 'string' && !V2_PULL_POLICIES.has(svc.pull_policy)) say(`pull_policy "${svc.pull_policy}"`);
  }
  return reasons;
}
