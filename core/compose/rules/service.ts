/**
 * The rule table for service keys: every key of the Compose Specification's service, once. The type
 * makes a key the model knows but this table does not (or the reverse) a compile error.
 */
import type { Service } from '../schema/service';
import { checkBuild } from './build';
import { truthy, type ServiceScope } from './context';
import { checkVolumes } from './mounts';
import { checkMode, checkVolumesFrom } from './namespaces';
import { checkPorts } from './ports';
import {
  checkBlkio,
  checkDependsOn,
  checkDeploy,
  checkExtends,
  checkFiles,
  checkGrants,
  checkHooks,
  checkLabels,
  checkLinks,
  checkLogging,
  checkOomScore,
  checkSecurityOpt,
  checkServiceNetworks,
} from './service-checks';
import type { KeyTable } from './table';

const list = (v: unknown) =>
  (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))) : Object.keys(v as object)).join(', ').slice(0, 120);
const empty = (v: unknown) => (Array.isArray(v) ? v.length === 0 : !!v && typeof v === 'object' && Object.keys(v).length === 0);

/** Resource limits a container may lower or raise within the ordinary; real-time and locked memory are the host's. */
const ULIMITS = new Set(['nofile', 'nproc', 'core', 'stack', 'fsize', 'cpu', 'as', 'data', 'locks', 'sigpending', 'msgqueue']);

function checkUlimits(v: NonNullable<Service['ulimits']>, s: ServiceScope): void {
  for (const name of Object.keys(v)) {
    if (name === 'rtprio' || name === 'rttime') s.raise('cpu-realtime', `raises the real-time scheduling limit (ulimits.${name})`, 'ulimits', name);
    else if (!ULIMITS.has(name)) s.raise('unrecognized-value', `ulimits.${name} is not one of ${[...ULIMITS].join(', ')}`, 'ulimits', name);
  }
}

export const SERVICE_RULES: KeyTable<Service, ServiceScope> = {
  // Allowed as the model reads them.
  attach: 'allow',
  cap_drop: 'allow',
  command: 'allow',
  container_name: 'allow',
  cpu_count: 'allow',
  cpu_percent: 'allow',
  cpu_shares: 'allow',
  cpu_quota: 'allow',
  cpu_period: 'allow',
  cpus: 'allow',
  cpuset: 'allow',
  develop: 'allow',
  dns: 'allow',
  dns_opt: 'allow',
  dns_search: 'allow',
  domainname: 'allow',
  entrypoint: 'allow',
  environment: 'allow',
  expose: 'allow',
  extra_hosts: 'allow',
  group_add: 'allow',
  healthcheck: 'allow',
  hostname: 'allow',
  image: 'allow',
  init: 'allow',
  mac_address: 'allow',
  mem_limit: 'allow',
  mem_reservation: 'allow',
  mem_swappiness: 'allow',
  memswap_limit: 'allow',
  pids_limit: 'allow',
  platform: 'allow',
  profiles: 'allow',
  pull_policy: 'allow',
  pull_refresh_after: 'allow',
  read_only: 'allow',
  restart: 'allow',
  scale: 'allow',
  shm_size: 'allow',
  stdin_open: 'allow',
  stop_grace_period: 'allow',
  stop_signal: 'allow',
  tmpfs: 'allow',
  tty: 'allow',
  user: 'allow',
  working_dir: 'allow',
  // Allowed with value rules.
  build: { check: checkBuild },
  blkio_config: { check: checkBlkio },
  cgroup: { check: (v, s) => (v === 'host' ? s.raise('host-namespace', 'shares a host namespace (cgroup: host)', 'cgroup') : undefined) },
  configs: { check: checkGrants('configs') },
  depends_on: { check: checkDependsOn },
  deploy: { check: checkDeploy },
  env_file: { check: checkFiles('env_file') },
  extends: { check: checkExtends },
  ipc: { check: checkMode('ipc') },
  label_file: { check: checkFiles('label_file') },
  labels: { check: checkLabels },
  links: { check: checkLinks },
  logging: { check: checkLogging },
  network_mode: { check: checkMode('network_mode') },
  networks: { check: checkServiceNetworks },
  oom_kill_disable: { refuse: 'oom-score', why: () => 'disables the OOM killer for its container', unless: (v) => !truthy(v) },
  oom_score_adj: { check: checkOomScore },
  pid: { check: checkMode('pid') },
  ports: { check: checkPorts },
  post_start: { check: checkHooks('post_start') },
  pre_stop: { check: checkHooks('pre_stop') },
  secrets: { check: checkGrants('secrets') },
  security_opt: { check: checkSecurityOpt },
  userns_mode: { check: checkMode('userns_mode') },
  uts: { check: checkMode('uts') },
  volumes: { check: checkVolumes },
  volumes_from: { check: checkVolumesFrom },
  // Allowed only by an owner exception.
  cap_add: { refuse: 'cap-add', why: (v) => `adds kernel capabilities (${list(v)})`, unless: empty },
  devices: { refuse: 'devices', why: (v) => `maps host devices (${list(v)})`, unless: empty },
  device_cgroup_rules: { refuse: 'devices', why: () => 'adds device cgroup rules', unless: empty },
  gpus: { refuse: 'gpus', why: () => 'uses GPUs (gpus)', unless: empty },
  privileged: { refuse: 'privileged', why: () => 'runs privileged (full access to the host)', unless: (v) => !truthy(v) },
  sysctls: { refuse: 'sysctls', why: (v) => `sets kernel parameters (${list(v)})`, unless: empty },
  use_api_socket: { refuse: 'docker-socket', why: () => 'asks for the Docker API socket (use_api_socket)', unless: (v) => v === false },
  ulimits: { check: (v, s) => checkUlimits(v, s) },
  // Refused by name.
  // Annotations reach the OCI runtime, which reads some (crun's run.oci.*) as instructions about the host.
  annotations: { refuse: 'runtime', why: (v) => `sets runtime annotations (${list(Object.keys(v))})`, unless: empty },
  cgroup_parent: { refuse: 'cgroup-parent', why: (v) => `places its container in the host cgroup "${v}"` },
  cpu_rt_period: { refuse: 'cpu-realtime', why: () => 'asks for real-time CPU scheduling (cpu_rt_period)' },
  cpu_rt_runtime: { refuse: 'cpu-realtime', why: () => 'asks for real-time CPU scheduling (cpu_rt_runtime)' },
  credential_spec: { refuse: 'credential-spec', why: () => 'uses a credential spec' },
  external_links: { refuse: 'other-container', why: (v) => `links to containers outside the app (${list(v)})`, unless: empty },
  isolation: { refuse: 'isolation', why: (v) => `asks for the "${v}" isolation technology` },
  models: { refuse: 'models', why: () => 'uses AI models run by Compose' },
  provider: { refuse: 'provider', why: (v) => `is a provider service: Compose would run the program "${v.type}" on the host` },
  runtime: { refuse: 'runtime', why: (v) => `runs under the "${v}" runtime` },
  storage_opt: { refuse: 'storage-opt', why: () => 'sets storage driver options', unless: empty },
};
