/**
 * docker-compose 1.29 (v1): what its schema (compose_spec.json of 1.29.2) knows, and the translations
 * of newer Compose Specification keys that mean the same to it. Every rule here was tried on the real
 * `docker-compose config`; what it cannot run is refused with the service and key named.
 */
import type { ComposeSpec } from '../catalog/compose';
import { isMap, type ComposeMap } from './sources';

/** Keys of 1.29.2's schema, by where they appear (x- keys are allowed everywhere). */
const V1_KEYS: Record<string, ReadonlySet<string>> = {
  top: new Set(['configs', 'networks', 'secrets', 'services', 'version', 'volumes']),
  service: new Set(
    'blkio_config build cap_add cap_drop cgroup_parent command configs container_name cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpu_shares cpus cpuset credential_spec depends_on deploy device_cgroup_rules devices dns dns_opt dns_search domainname entrypoint env_file environment expose extends external_links extra_hosts group_add healthcheck hostname image init ipc isolation labels links logging mac_address mem_limit mem_reservation mem_swappiness memswap_limit network_mode networks oom_kill_disable oom_score_adj pid pids_limit platform ports privileged profiles pull_policy read_only restart runtime scale secrets security_opt shm_size stdin_open stop_grace_period stop_signal storage_opt sysctls tmpfs tty ulimits user userns_mode volumes volumes_from working_dir'.split(
      ' ',
    ),
  ),
  build: new Set(['args', 'cache_from', 'context', 'dockerfile', 'extra_hosts', 'isolation', 'labels', 'network', 'shm_size', 'target']),
  healthcheck: new Set(['disable', 'interval', 'retries', 'start_period', 'test', 'timeout']),
  depends_on: new Set(['condition']),
  port: new Set(['mode', 'protocol', 'published', 'target']),
  volume: new Set(['bind', 'consistency', 'read_only', 'source', 'target', 'tmpfs', 'type', 'volume']),
  network: new Set(['aliases', 'ipv4_address', 'ipv6_address', 'link_local_ips', 'priority']),
  networks: new Set(['attachable', 'driver', 'driver_opts', 'enable_ipv6', 'external', 'internal', 'ipam', 'labels', 'name']),
  volumes: new Set(['driver', 'driver_opts', 'external', 'labels', 'name']),
  secrets: new Set(['driver', 'driver_opts', 'external', 'file', 'labels', 'name', 'template_driver']),
  limits: new Set(['cpus', 'memory']),
  reservations: new Set(['cpus', 'memory', 'generic_resources', 'devices']),
};
const V1_PULL_POLICIES = new Set(['always', 'never', 'if_not_present', 'build']);
/** Keys that change nothing about what runs: dropped with a note. */
const V1_DROPPED: Record<string, string> = {
  develop: 'only `docker compose watch` reads it',
  attach: 'it only selects which logs `up` follows',
};

export interface Translation {
  spec: ComposeSpec;
  notes: string[];
  reasons: string[];
}

const unknownKeys = (m: ComposeMap, allowed: ReadonlySet<string>) => Object.keys(m).filter((k) => !allowed.has(k) && !k.startsWith('x-'));

export function toV1(spec: ComposeSpec): Translation {
  const t: Translation = { spec: { services: {} }, notes: [], reasons: [] };
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'services') continue;
    if (k === 'name') t.notes.push('the top-level "name" was dropped (the agent names the project)');
    else if (k === 'configs') t.reasons.push('top-level "configs": docker-compose v1 ignores configs outside a swarm');
    else if (!V1_KEYS.top.has(k) && !k.startsWith('x-')) t.reasons.push(`top-level "${k}" is not known to docker-compose v1`);
    else t.spec[k] = k in V1_KEYS && isMap(v) ? resources(k, v, t) : v;
  }
  for (const [name, svc] of Object.entries(spec.services)) t.spec.services[name] = service(name, svc, spec, t);
  return t;
}

function resources(kind: string, defs: ComposeMap, t: Translation): ComposeMap {
  for (const [name, def] of Object.entries(defs)) {
    for (const k of isMap(def) ? unknownKeys(def, V1_KEYS[kind]) : []) t.reasons.push(`${kind} "${name}": "${k}" is not known to docker-compose v1`);
  }
  return defs;
}

type Say = (msg: string) => void;

function service(name: string, svc: ComposeMap, spec: ComposeSpec, t: Translation): ComposeMap {
  const note: Say = (m) => t.notes.push(`service "${name}": ${m}`);
  const refuse: Say = (m) => t.reasons.push(`service "${name}": ${m}`);
  const out: ComposeMap = {};
  for (const [k, v] of Object.entries(svc)) {
    if (V1_DROPPED[k]) {
      note(`"${k}" was dropped (${V1_DROPPED[k]})`);
      continue;
    }
    if (!V1_KEYS.service.has(k) && !k.startsWith('x-')) {
      refuse(`"${k}" is not known to docker-compose v1`);
      continue;
    }
    const value = translateKey(k, v, { note, refuse, services: spec.services });
    if (value !== undefined) out[k] = value;
  }
  return out;
}

interface KeyContext {
  note: Say;
  refuse: Say;
  services: ComposeSpec['services'];
}

/** The value v1 gets for a service key it knows (undefined: dropped). */
function translateKey(k: string, v: unknown, c: KeyContext): unknown {
  switch (k) {
    case 'command':
    case 'entrypoint':
      if (v === null) c.note(`"${k}: null" was dropped (the image's own ${k} runs either way)`);
      return v === null ? undefined : v;
    case 'environment':
      return isMap(v) ? stringifyBooleans(v, c.note) : v;
    case 'env_file':
      return envFiles(v, c);
    case 'depends_on':
      return isMap(v) ? dependsOn(v, c) : v;
    case 'healthcheck':
      return isMap(v) ? nestedKnown('healthcheck', healthcheck(v, c.note), c) : v;
    case 'configs':
      c.refuse('"configs": docker-compose v1 ignores configs outside a swarm, the app would start without them');
      return undefined;
    case 'pull_policy':
      return pullPolicy(v, c);
    case 'build':
      return nestedKnown('build', v, c);
    case 'deploy':
      if (isMap(v) && isMap(v.resources)) for (const kind of ['limits', 'reservations']) nestedKnown(kind, v.resources[kind], c);
      return v;
    case 'ports':
      return Array.isArray(v) ? v.map((p) => port(p, c)) : v;
    case 'volumes':
      return Array.isArray(v) ? v.map((m) => mount(m, c)) : v;
    case 'devices':
      return Array.isArray(v) ? v.map((d) => (isMap(d) ? [d.source, d.target ?? d.source, d.permissions].filter((x) => x !== undefined).join(':') : d)) : v;
    case 'networks':
      if (isMap(v))
        for (const [n, def] of Object.entries(v))
          if (isMap(def)) for (const x of unknownKeys(def, V1_KEYS.network)) c.refuse(`networks "${n}": "${x}" is not known to docker-compose v1`);
      return v;
    default:
      return v;
  }
}

function stringifyBooleans(env: ComposeMap, note: Say): ComposeMap {
  const out: ComposeMap = {};
  for (const [k, x] of Object.entries(env)) {
    if (typeof x === 'boolean') note(`environment "${k}": the boolean ${x} is written as the string "${x}", as Compose v2 passes it`);
    out[k] = typeof x === 'boolean' ? String(x) : x;
  }
  return out;
}

function envFiles(v: unknown, c: KeyContext): unknown {
  if (!Array.isArray(v)) return v;
  const out: unknown[] = [];
  for (const e of v) {
    if (!isMap(e)) out.push(e);
    else if (e.required === false) c.refuse(`env_file "${String(e.path)}" is optional (required: false); docker-compose v1 fails when it is missing`);
    else if (unknownKeys(e, new Set(['path', 'required'])).length) c.refuse(`env_file "${String(e.path)}" has options docker-compose v1 does not know`);
    else out.push(e.path);
  }
  return out;
}

function dependsOn(deps: ComposeMap, c: KeyContext): ComposeMap {
  const out: ComposeMap = {};
  for (const [dep, cond] of Object.entries(deps)) {
    if (!isMap(cond)) {
      out[dep] = cond;
      continue;
    }
    const { restart, required, ...rest } = cond;
    if (restart !== undefined) c.note(`depends_on "${dep}": "restart" was dropped (v1 does not restart a service when its dependency is updated)`);
    if (required === false && !(dep in c.services)) c.refuse(`depends_on "${dep}" is optional and not defined; docker-compose v1 needs every dependency`);
    for (const x of unknownKeys(rest, V1_KEYS.depends_on)) c.refuse(`depends_on "${dep}": "${x}" is not known to docker-compose v1`);
    out[dep] = rest;
  }
  return out;
}

function healthcheck(h: ComposeMap, note: Say): ComposeMap {
  const { start_interval, ...rest } = h;
  if (start_interval !== undefined) note(`healthcheck "start_interval" was dropped (v1 probes at "interval" during the start period too)`);
  return rest;
}

function pullPolicy(v: unknown, c: KeyContext): unknown {
  if (v === 'missing') return 'if_not_present';
  if (typeof v === 'string' && !V1_PULL_POLICIES.has(v)) c.refuse(`pull_policy "${v}" is not known to docker-compose v1`);
  return v;
}

function nestedKnown(kind: string, v: unknown, c: KeyContext): unknown {
  if (isMap(v)) for (const x of unknownKeys(v, V1_KEYS[kind])) c.refuse(`${kind} "${x}" is not known to docker-compose v1`);
  return v;
}

/** Long ports with what v1's long form lacks (host_ip) become the short form; names are dropped. */
function port(p: unknown, c: KeyContext): unknown {
  if (!isMap(p)) return p;
  const { name, app_protocol, host_ip, ...rest } = p;
  if (name !== undefined || app_protocol !== undefined) c.note(`port ${String(p.target)}: "name"/"app_protocol" were dropped (labels only)`);
  for (const x of unknownKeys(rest, V1_KEYS.port)) c.refuse(`port ${String(p.target)}: "${x}" is not known to docker-compose v1`);
  if (host_ip === undefined) return rest;
  if (rest.published === undefined) {
    c.refuse(`port ${String(p.target)}: host_ip without a published port cannot be written for docker-compose v1`);
    return rest;
  }
  return `${String(host_ip)}:${String(rest.published)}:${String(rest.target)}${rest.protocol ? `/${String(rest.protocol)}` : ''}`;
}

/** Long mounts: create_host_path (v1 always creates the host folder) dropped; newer options refused. */
function mount(m: unknown, c: KeyContext): unknown {
  if (!isMap(m)) return m;
  const out: ComposeMap = { ...m };
  if (isMap(m.bind)) {
    const { create_host_path, ...bind } = m.bind;
    if (create_host_path === false)
      c.refuse(`volume ${String(m.target)}: bind create_host_path: false is not known to docker-compose v1 (it creates the folder)`);
    out.bind = bind;
    if (Object.keys(bind).length === 0) delete out.bind;
  }
  const nested: Record<string, string[]> = { bind: ['propagation'], volume: ['nocopy'], tmpfs: ['size'] };
  for (const [key, allowed] of Object.entries(nested)) {
    const sub = out[key];
    if (isMap(sub)) for (const x of unknownKeys(sub, new Set(allowed))) c.refuse(`volume ${String(m.target)}: ${key} "${x}" is not known to docker-compose v1`);
  }
  for (const x of unknownKeys(out, V1_KEYS.volume)) c.refuse(`volume ${String(m.target)}: "${x}" is not known to docker-compose v1`);
  return out;
}
