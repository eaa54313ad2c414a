import { describe, expect, it } from 'vitest';
import { checkPolicy, type PolicyOptions } from '../../../core/catalog/policy';

const pub: PolicyOptions = { phase: 'publish' };
/** A compose with one service `app` (HOST_PORT mapped) plus the given YAML lines under it. */
const svc = (lines: string) => `services:\n  app:\n    image: x\n    ports: ["HOST_PORT:80"]\n${lines}`;
const ruleHits = (compose: string, rule: string, opts: PolicyOptions = pub) => checkPolicy(compose, opts).filter((f) => f.rule === rule);

// One refused and one allowed input per rule: test/unit/compose/rules.test.ts (from the rule table).
describe('checkPolicy', () => {
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
  const rendered =
    'services:\n  app:\n    image: x\n    ports: ["35001:80", "2224:22"]\n    volumes:\n      - /var/hda/web-apps/app1/html:/var/www/html\n      - /var/hda/web-apps/app2/html:/steal\n      - ./cfg:/cfg\n';
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
