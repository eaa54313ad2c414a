import { describe, expect, it } from 'vitest';
import { checkPolicy, POLICY_RULES, type PolicyOptions } from '../../../core/catalog/policy';

const pub: PolicyOptions = { phase: 'publish' };
/** A compose with one service `app` (HOST_PORT mapped) plus the given YAML lines under it. */
const svc = (lines: string, top = '') => `services:\n  app:\n    image: x\n    container_name: APP_IDENTIFIER\n    ports: ["HOST_PORT:80"]\n${lines}${top}`;
const ruleHits = (compose: string, rule: string, opts: PolicyOptions = pub) => checkPolicy(compose, opts).filter((f) => f.rule === rule);

interface Case { rule: string; refused: string; passes: string; opts?: PolicyOptions; severity?: string }
const cases: Case[] = [
  { rule: 'privileged', refused: svc('    privileged: true\n'), passes: svc('    privileged: false\n') },
  { rule: 'privileged', refused: svc('    privileged: "yes"\n'), passes: svc('    read_only: true\n') },
  { rule: 'host-network', refused: svc('    network_mode: host\n'), passes: svc('    network_mode: bridge\n') },
  { rule: 'host-network', refused: svc('', 'networks:\n  default:\n    external: true\n    name: host\n'), passes: svc('', 'networks:\n  default:\n    driver: bridge\n') },
  { rule: 'host-pid', refused: svc('    pid: host\n'), passes: svc('    pid: "service:db"\n') },
  { rule: 'host-ipc', refused: svc('    ipc: host\n'), passes: svc('    ipc: shareable\n') },
  { rule: 'host-namespace', refused: svc('    userns_mode: host\n'), passes: svc('    init: true\n') },
  { rule: 'cap-add', refused: svc('    cap_add: [SYS_ADMIN]\n'), passes: svc('    cap_drop: [ALL]\n') },
  { rule: 'security-opt', refused: svc('    security_opt: ["seccomp:unconfined"]\n'), passes: svc('    security_opt: ["no-new-privileges:true"]\n') },
  { rule: 'devices', refused: svc('    devices: ["/dev/sda:/dev/sda"]\n'), passes: svc('    devices: []\n') },
  { rule: 'docker-socket', refused: svc('    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\n'), passes: svc('    volumes: ["./docker.sock:/tmp/x.sock"]\n') },
  { rule: 'docker-socket', refused: svc('    volumes: [{type: bind, source: /run, target: /host-run}]\n'), passes: svc('    volumes: [{type: volume, source: data, target: /data}]\n') },
  { rule: 'bind-outside-app', refused: svc('    volumes: ["/etc:/host-etc:ro"]\n'), passes: svc('    volumes: ["./config:/config", "WEBAPP_PATH/html:/var/www/html", "data:/data", "/cache"]\n') },
  { rule: 'bind-outside-app', refused: svc('    volumes: ["./../../etc:/x"]\n'), passes: svc('    volumes: ["/etc/localtime:/etc/localtime:ro"]\n') },
  { rule: 'bind-outside-app', refused: svc('    volumes: ["/etc/localtime:/etc/localtime"]\n'), passes: svc('    volumes: ["/var/hda/files/movies:/movies"]\n'), opts: { phase: 'publish', shareRoots: ['/var/hda/files'] } },
  { rule: 'bind-outside-app', refused: svc('    volumes: ["~/x:/x"]\n'), passes: svc('    volumes: ["WEBAPP_PATH:/app"]\n') },
  { rule: 'bind-outside-app', refused: svc('', 'volumes:\n  v:\n    driver_opts: {type: none, o: bind, device: /etc}\n'), passes: svc('', 'volumes:\n  v: {}\n') },
  { rule: 'build-outside-app', refused: svc('    build: ../other\n'), passes: svc('    build: .\n') },
  { rule: 'build-outside-app', refused: svc('    build: {context: ., dockerfile: ../../Dockerfile}\n'), passes: svc('    build: {context: ./sub, dockerfile: Dockerfile.web}\n') },
  { rule: 'build-outside-app', refused: svc('    build: https://github.com/x/y.git\n'), passes: svc('    build: {context: WEBAPP_PATH}\n') },
  { rule: 'external-file', refused: svc('    env_file: /etc/environment\n'), passes: svc('    env_file: [./app.env]\n') },
  { rule: 'external-file', refused: svc('    extends: {file: /srv/other/compose.yml, service: web}\n'), passes: svc('    extends: {service: base}\n') },
  { rule: 'variable-interpolation', refused: svc('    environment: ["TOKEN=${AGENT_TOKEN}"]\n'), passes: svc('    environment: ["PRICE=$$5"]\n') },
  { rule: 'low-host-port', refused: svc('').replace('"HOST_PORT:80"', '"HOST_PORT:80", "80:8080"'), passes: svc('').replace('"HOST_PORT:80"', '"HOST_PORT:80", "8080:8080"') },
  { rule: 'host-port-collision', refused: svc('').replace('"HOST_PORT:80"', '"HOST_PORT:80", "35002:9"'), passes: svc('').replace('"HOST_PORT:80"', '"HOST_PORT:80", "35003:9"'), opts: { phase: 'publish', usedHostPorts: [35002] } },
  { rule: 'host-port-collision', refused: svc('').replace('"HOST_PORT:80"', '"35000-35010:80"'), passes: svc(''), opts: { phase: 'publish', usedHostPorts: [35005] } },
  { rule: 'fixed-host-port', refused: svc('').replace('"HOST_PORT:80"', '"HOST_PORT:80", "2224:22"'), passes: svc('').replace('"HOST_PORT:80"', '"HOST_PORT:80", "22"'), severity: 'warning' },
  { rule: 'no-host-port', refused: svc('').replace('"HOST_PORT:80"', '"3128:3128"'), passes: svc(''), severity: 'review' },
  { rule: 'fixed-container-name', refused: svc('').replace('APP_IDENTIFIER', 'portainer'), passes: svc(''), severity: 'warning' },
];

describe('checkPolicy: one refused and one passing input per rule', () => {
  it.each(cases.map((c, i) => [`${c.rule} #${i}`, c] as const))('%s', (_n, c) => {
    const hits = ruleHits(c.refused, c.rule, c.opts);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0].severity).toBe(c.severity ?? 'error');
    expect(hits[0].message.length).toBeGreaterThan(10);
    expect(ruleHits(c.passes, c.rule, c.opts)).toEqual([]);
  });

  it('every policy rule has a case', () => {
    expect(new Set(cases.map((c) => c.rule))).toEqual(new Set(POLICY_RULES));
  });

  it('findings quote the offending line', () => {
    const text = 'web:\n  image: x\n  ports: ["HOST_PORT:80"]\n  privileged: true\n  volumes:\n    - ./ok:/ok\n    - /root:/r\n';
    const f = checkPolicy(text, pub);
    expect(f).toContainEqual(expect.objectContaining({ rule: 'privileged', service: 'web', line: 4, text: '  privileged: true' }));
    expect(f).toContainEqual(expect.objectContaining({ rule: 'bind-outside-app', line: 7, text: '    - /root:/r' }));
  });

  it('an owner exception turns that rule into an allowed info finding, and only that rule', () => {
    const c = svc('    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\n    privileged: true\n');
    const f = checkPolicy(c, { phase: 'host', exceptions: ['docker-socket'] });
    expect(f).toContainEqual(expect.objectContaining({ rule: 'docker-socket', severity: 'info', allowed_by_exception: true }));
    expect(f).toContainEqual(expect.objectContaining({ rule: 'privileged', severity: 'error' }));
  });
});

describe('checkPolicy on the host (rendered compose)', () => {
  const rendered = 'services:\n  app:\n    image: x\n    ports: ["35001:80", "2224:22"]\n    volumes:\n      - /var/hda/web-apps/app1/html:/var/www/html\n      - /var/hda/web-apps/app2/html:/steal\n      - ./cfg:/cfg\n';
  const host: PolicyOptions = { phase: 'host', appDir: '/var/hda/web-apps/app1', hostPort: 35001, usedHostPorts: [2224] };

  it('knows the app folder: its own folder passes, a sibling app folder is outside', () => {
    const bind = ruleHits(rendered, 'bind-outside-app', host);
    expect(bind).toHaveLength(1);
    expect(bind[0].message).toContain('/var/hda/web-apps/app2/html');
  });

  it('the install port is the app port; other fixed ports collide with other installs', () => {
    expect(ruleHits(rendered, 'no-host-port', host)).toEqual([]);
    expect(ruleHits(rendered, 'host-port-collision', host)).toEqual([expect.objectContaining({ severity: 'error', line: 4 })]);
    expect(ruleHits(rendered, 'no-host-port', { ...host, hostPort: 35009 })).toHaveLength(1);
  });
});
