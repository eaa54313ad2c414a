/**
 * One refused and one allowed compose per policy rule (several for rules many keys raise), for
 * test/unit/compose/rules.test.ts. `svc` adds lines under service `app` of a two-service file.
 */
import type { PolicyOptions } from '../../../core/catalog/policy';

/** Service `app` (HOST_PORT mapped) and `db`, plus the given lines under `app` and at the top. */
export const svc = (lines: string, top = '') => `services:\n  app:\n    image: x\n    ports: ["HOST_PORT:80"]\n${lines}  db:\n    image: postgres\n${top}`;

export interface RuleCase {
  rule: string;
  refused: string;
  passes: string;
  opts?: PolicyOptions;
  severity?: string;
}

const ports = (extra: string) => svc('').replace('"HOST_PORT:80"', extra);

export const RULE_CASES: RuleCase[] = [
  { rule: 'privileged', refused: svc('    privileged: true\n'), passes: svc('    privileged: false\n') },
  { rule: 'privileged', refused: svc('    privileged: "yes"\n'), passes: svc('    read_only: true\n') },
  {
    rule: 'privileged',
    refused: svc('    post_start:\n      - {command: chown -R 1000 /data, privileged: true}\n'),
    passes: svc('    post_start:\n      - {command: chown -R 1000 /data, user: root}\n'),
  },
  {
    rule: 'privileged',
    refused: svc('    pre_stop:\n      - {command: ["sh", "-c", "x"], privileged: "true"}\n'),
    passes: svc('    pre_stop:\n      - {command: ["sh", "-c", "x"]}\n'),
  },
  { rule: 'host-network', refused: svc('    network_mode: host\n'), passes: svc('    network_mode: bridge\n') },
  { rule: 'host-network', refused: svc('', 'networks:\n  default:\n    driver: host\n'), passes: svc('', 'networks:\n  default:\n    driver: bridge\n') },
  { rule: 'host-network', refused: svc('    build: {context: ., network: host}\n'), passes: svc('    build: {context: ., network: none}\n') },
  { rule: 'host-pid', refused: svc('    pid: host\n'), passes: svc('    pid: "service:db"\n') },
  { rule: 'host-ipc', refused: svc('    ipc: host\n'), passes: svc('    ipc: shareable\n') },
  { rule: 'host-namespace', refused: svc('    userns_mode: host\n'), passes: svc('    init: true\n') },
  { rule: 'host-namespace', refused: svc('    uts: host\n'), passes: svc('    cgroup: private\n') },
  { rule: 'host-namespace', refused: svc('    cgroup: host\n'), passes: svc('    hostname: app\n') },
  { rule: 'cap-add', refused: svc('    cap_add: [SYS_ADMIN]\n'), passes: svc('    cap_drop: [ALL]\n') },
  { rule: 'security-opt', refused: svc('    security_opt: ["seccomp:unconfined"]\n'), passes: svc('    security_opt: ["no-new-privileges:true"]\n') },
  { rule: 'security-opt', refused: svc('    security_opt: ["seccomp=./file.json"]\n'), passes: svc('    security_opt: ["no-new-privileges"]\n') },
  { rule: 'security-opt', refused: svc('    security_opt: ["label=type:spc_t"]\n'), passes: svc('    security_opt: []\n') },
  { rule: 'devices', refused: svc('    devices: ["/dev/sda:/dev/sda"]\n'), passes: svc('    devices: []\n') },
  { rule: 'devices', refused: svc('    device_cgroup_rules: ["c 1:3 mr"]\n'), passes: svc('    device_cgroup_rules: []\n') },
  {
    rule: 'devices',
    refused: svc('    blkio_config:\n      device_read_bps: [{path: /dev/sda, rate: 1mb}]\n'),
    passes: svc('    blkio_config: {weight: 300}\n'),
  },
  {
    rule: 'docker-socket',
    refused: svc('    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\n'),
    passes: svc('    volumes: ["./docker.sock:/tmp/x.sock"]\n'),
  },
  {
    rule: 'docker-socket',
    refused: svc('    volumes: [{type: bind, source: /run, target: /host-run}]\n'),
    passes: svc('    volumes: [{type: volume, source: data, target: /data}]\n', 'volumes:\n  data: {}\n'),
  },
  { rule: 'docker-socket', refused: svc('    use_api_socket: true\n'), passes: svc('    use_api_socket: false\n') },
  {
    rule: 'bind-outside-app',
    refused: svc('    volumes: ["/etc:/host-etc:ro"]\n'),
    passes: svc('    volumes: ["./config:/config", "WEBAPP_PATH/html:/var/www/html", "data:/data", "/cache"]\n', 'volumes:\n  data:\n'),
  },
  { rule: 'bind-outside-app', refused: svc('    volumes: ["./../../etc:/x"]\n'), passes: svc('    volumes: ["/etc/localtime:/etc/localtime:ro"]\n') },
  {
    rule: 'bind-outside-app',
    refused: svc('    volumes: ["/etc/localtime:/etc/localtime"]\n'),
    passes: svc('    volumes: ["/var/hda/files/movies:/movies"]\n'),
    opts: { phase: 'publish', shareRoots: ['/var/hda/files'] },
  },
  { rule: 'bind-outside-app', refused: svc('    volumes: ["~/x:/x"]\n'), passes: svc('    volumes: ["WEBAPP_PATH:/app"]\n') },
  {
    rule: 'bind-outside-app',
    refused: svc('    secrets: [pw]\n', 'secrets:\n  pw:\n    file: /etc/shadow\n'),
    passes: svc('    secrets: [pw]\n', 'secrets:\n  pw:\n    file: ./pw.txt\n'),
  },
  { rule: 'build-outside-app', refused: svc('    build: ../other\n'), passes: svc('    build: .\n') },
  {
    rule: 'build-outside-app',
    refused: svc('    build: {context: ., dockerfile: ../../Dockerfile}\n'),
    passes: svc('    build: {context: ./sub, dockerfile: Dockerfile.web}\n'),
  },
  { rule: 'build-outside-app', refused: svc('    build: https://github.com/x/y.git\n'), passes: svc('    build: {context: WEBAPP_PATH}\n') },
  { rule: 'gpus', refused: svc('    gpus: all\n'), passes: svc('    cpus: 1.5\n') },
  {
    rule: 'gpus',
    refused: svc('    deploy:\n      resources:\n        reservations:\n          devices: [{capabilities: [gpu]}]\n'),
    passes: svc('    deploy:\n      resources:\n        reservations: {memory: 256M}\n        limits: {cpus: "0.5"}\n'),
  },
  { rule: 'sysctls', refused: svc('    sysctls: {net.ipv4.ip_forward: 1}\n'), passes: svc('    ulimits: {nofile: 1024}\n') },
  { rule: 'low-host-port', refused: ports('"HOST_PORT:80", "80:8080"'), passes: ports('"HOST_PORT:80", "8080:8080"') },
  { rule: 'fixed-host-port', refused: ports('"HOST_PORT:80", "2224:22"'), passes: ports('"HOST_PORT:80", "22"'), severity: 'warning' },
  { rule: 'no-host-port', refused: ports('"3128:3128"'), passes: svc(''), severity: 'review' },
  {
    rule: 'host-port-collision',
    refused: ports('"HOST_PORT:80", "35002:9"'),
    passes: ports('"HOST_PORT:80", "35003:9"'),
    opts: { phase: 'publish', usedHostPorts: [35002] },
  },
  { rule: 'host-port-collision', refused: ports('"35000-35010:80"'), passes: svc(''), opts: { phase: 'publish', usedHostPorts: [35005] } },
  { rule: 'other-container', refused: svc('    volumes_from: ["container:other_app_db"]\n'), passes: svc('    volumes_from: [db]\n') },
  { rule: 'other-container', refused: svc('    pid: "container:other"\n'), passes: svc('    pid: "service:db"\n') },
  { rule: 'other-container', refused: svc('    network_mode: "container:other"\n'), passes: svc('    network_mode: "service:db"\n') },
  { rule: 'other-container', refused: svc('    ipc: "container:other"\n'), passes: svc('    ipc: "service:db"\n') },
  { rule: 'other-container', refused: svc('    external_links: [other_db]\n'), passes: svc('    links: [db]\n') },
  { rule: 'provider', refused: svc('    provider: {type: awesomecloud, options: {type: mysql}}\n'), passes: svc('') },
  { rule: 'runtime', refused: svc('    runtime: nvidia\n'), passes: svc('') },
  { rule: 'cgroup-parent', refused: svc('    cgroup_parent: /\n'), passes: svc('') },
  { rule: 'oom-score', refused: svc('    oom_score_adj: -1000\n'), passes: svc('    oom_score_adj: 500\n') },
  { rule: 'oom-score', refused: svc('    oom_kill_disable: true\n'), passes: svc('    oom_kill_disable: false\n') },
  { rule: 'cpu-realtime', refused: svc('    cpu_rt_runtime: 95000\n'), passes: svc('    cpu_shares: 512\n') },
  { rule: 'storage-opt', refused: svc('    storage_opt: {size: 1G}\n'), passes: svc('    shm_size: 1g\n') },
  { rule: 'isolation', refused: svc('    isolation: hyperv\n'), passes: svc('') },
  { rule: 'credential-spec', refused: svc('    credential_spec: {file: /etc/shadow}\n'), passes: svc('') },
  {
    rule: 'build-privileged',
    refused: svc('    build: {context: ., entitlements: [security.insecure]}\n'),
    passes: svc('    build: {context: ., args: {A: "1"}}\n'),
  },
  { rule: 'build-privileged', refused: svc('    build: {context: ., privileged: true}\n'), passes: svc('    build: {context: ., privileged: false}\n') },
  { rule: 'build-host-access', refused: svc('    build: {context: ., ssh: [default]}\n'), passes: svc('    build: {context: ., target: prod}\n') },
  {
    rule: 'build-host-access',
    refused: svc('    build: {context: ., cache_to: ["type=local,dest=/etc"]}\n'),
    passes: svc('    build: {context: ., tags: ["x:1"]}\n'),
  },
  { rule: 'external-file', refused: svc('    env_file: /etc/environment\n'), passes: svc('    env_file: [./app.env]\n') },
  { rule: 'external-file', refused: svc('    label_file: /etc/shadow\n'), passes: svc('    label_file: ./labels\n') },
  {
    rule: 'external-file',
    refused: svc('    env_file: [{path: ../../../etc/environment, required: false}]\n'),
    passes: svc('    env_file: [{path: ./app.env, required: false}]\n'),
  },
  {
    rule: 'external-resource',
    refused: svc('    volumes: ["data:/data"]\n', 'volumes:\n  data:\n    external: true\n    name: otherapp_data\n'),
    passes: svc('    volumes: ["data:/data"]\n', 'volumes:\n  data: {}\n'),
  },
  {
    rule: 'external-resource',
    refused: svc('    networks: [shared]\n', 'networks:\n  shared:\n    external: true\n'),
    passes: svc('    networks: [back]\n', 'networks:\n  back: {}\n'),
  },
  {
    rule: 'external-resource',
    refused: svc('    volumes: ["data:/data"]\n', 'volumes:\n  data:\n    name: mysql_data\n'),
    passes: svc('    volumes: ["data:/data"]\n', 'volumes:\n  data:\n    name: APP_IDENTIFIER-data\n'),
  },
  {
    rule: 'volume-driver',
    refused: svc('    volumes: ["root:/host"]\n', 'volumes:\n  root:\n    driver: local\n    driver_opts: {type: none, o: bind, device: ../../../..}\n'),
    passes: svc('    volumes: ["root:/data"]\n', 'volumes:\n  root:\n    driver: local\n'),
  },
  { rule: 'volume-driver', refused: svc('', 'volumes:\n  v:\n    driver_opts: {type: none, o: bind, device: /etc}\n'), passes: svc('', 'volumes:\n  v: {}\n') },
  { rule: 'volume-driver', refused: svc('', 'volumes:\n  v:\n    driver: rclone\n'), passes: svc('', 'volumes:\n  v:\n    labels: {a: b}\n') },
  { rule: 'network-driver', refused: svc('', 'networks:\n  lan:\n    driver: macvlan\n'), passes: svc('', 'networks:\n  lan:\n    internal: true\n') },
  {
    rule: 'network-driver',
    refused: svc('', 'networks:\n  lan:\n    driver_opts: {com.docker.network.bridge.name: docker0}\n'),
    passes: svc('', 'networks:\n  lan:\n    driver: bridge\n'),
  },
  { rule: 'logging-driver', refused: svc('    logging: {driver: syslog}\n'), passes: svc('    logging: {driver: json-file, options: {max-size: 10m}}\n') },
  { rule: 'models', refused: svc('', 'models:\n  llm:\n    model: ai/smollm2\n'), passes: svc('') },
  { rule: 'reserved-label', refused: svc('    labels: {com.docker.compose.project: otherapp}\n'), passes: svc('    labels: {org.example.tier: web}\n') },
  { rule: 'reserved-label', refused: svc('    labels: ["org.amahi.hda.install=x"]\n'), passes: svc('    labels: ["tier=web"]\n') },
  { rule: 'bind-propagation', refused: svc('    volumes: ["./x:/x:rshared"]\n'), passes: svc('    volumes: ["./x:/x:rslave"]\n') },
  {
    rule: 'bind-propagation',
    refused: svc('    volumes: [{type: bind, source: ./x, target: /x, bind: {propagation: shared}}]\n'),
    passes: svc('    volumes: [{type: bind, source: ./x, target: /x, bind: {create_host_path: true}}]\n'),
  },
  { rule: 'variable-interpolation', refused: svc('    environment: ["TOKEN=${AGENT_TOKEN}"]\n'), passes: svc('    environment: ["PRICE=$$5"]\n') },
  {
    rule: 'variable-interpolation',
    refused: svc('    secrets: [pw]\n', 'secrets:\n  pw:\n    environment: AGENT_TOKEN\n'),
    passes: svc('    configs: [c]\n', 'configs:\n  c:\n    content: "x=1"\n'),
  },
  { rule: 'port-syntax', refused: ports('"HOST_PORT:80", "a:b:c:d"'), passes: ports('"HOST_PORT:80", "127.0.0.1:8080:80/udp"') },
  { rule: 'volume-syntax', refused: svc('    volumes: ["./x:/y:bogus"]\n'), passes: svc('    volumes: ["./x:/y:ro,z"]\n') },
  {
    rule: 'volume-syntax',
    refused: svc('    volumes: [{type: npipe, source: //./pipe/docker_engine, target: /p}]\n'),
    passes: svc('    volumes: [{type: tmpfs, target: /tmp}]\n'),
  },
  { rule: 'unrecognized-value', refused: svc('    network_mode: "ns:/proc/1/ns/net"\n'), passes: svc('    network_mode: none\n') },
  { rule: 'unrecognized-value', refused: svc('    ipc: "weird"\n'), passes: svc('    ipc: private\n') },
  { rule: 'missing-reference', refused: svc('    depends_on: [nope]\n'), passes: svc('    depends_on: [db]\n') },
  {
    rule: 'missing-reference',
    refused: svc('    depends_on: {nope: {condition: service_healthy}}\n'),
    passes: svc('    depends_on: {db: {condition: service_healthy}}\n'),
  },
  { rule: 'missing-reference', refused: svc('    volumes: ["data:/data"]\n'), passes: svc('    volumes: ["data:/data"]\n', 'volumes:\n  data:\n') },
  { rule: 'missing-reference', refused: svc('    networks: [back]\n'), passes: svc('    networks: [default]\n') },
  { rule: 'missing-reference', refused: svc('    secrets: [pw]\n'), passes: svc('    secrets: [pw]\n', 'secrets:\n  pw: {file: ./pw}\n') },
  {
    rule: 'missing-reference',
    refused: svc('    build: {context: ., secrets: [npmrc]}\n'),
    passes: svc('    build: {context: ., secrets: [npmrc]}\n', 'secrets:\n  npmrc: {file: ./npmrc}\n'),
  },
  { rule: 'missing-reference', refused: svc('    network_mode: "service:nope"\n'), passes: svc('    network_mode: "service:db"\n') },
  { rule: 'unknown-key', refused: svc('    network-mode: host\n'), passes: svc('    network_mode: bridge\n') },
  { rule: 'unknown-key', refused: svc('    build: {context: ., secret_files: [/etc/shadow]}\n'), passes: svc('    build: {context: ., x-note: fine}\n') },
  { rule: 'unknown-key', refused: svc('', 'volumez: {}\n'), passes: svc('', 'x-anything: {a: 1}\n') },
  {
    rule: 'unknown-key',
    refused: svc('    healthcheck: {test: ["CMD", "true"], intervall: 5s}\n'),
    passes: svc('    healthcheck: {test: ["CMD", "true"], interval: 5s, start_interval: 1s}\n'),
  },
  { rule: 'compose-schema', refused: svc('    environment:\n      - A=1\n      - {B: 2}\n'), passes: svc('    environment:\n      - A=1\n      - B=2\n') },
  { rule: 'compose-schema', refused: ports('{target: 80, published: HOST_PORT, mode: [1]}'), passes: ports('{target: 80, published: HOST_PORT, mode: host}') },
];
