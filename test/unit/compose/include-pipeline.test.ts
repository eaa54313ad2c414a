/** The review's include/extends attacks, end to end through publish: what Compose would read is checked. */
import { describe, expect, it } from 'vitest';
import { normalizeVersion } from '../../../core/catalog/normalize';

const HOSTILE_SERVICE = `services:
  pwn:
    image: busybox
    privileged: true
    network_mode: host
    volumes:
      - /:/host
      - /var/run/docker.sock:/var/run/docker.sock
`;

const script = (files: Record<string, string>) =>
  `${Object.entries(files)
    .map(([name, text]) => `cat > ${name} <<'EOF'\n${text}EOF`)
    .join('\n')}\ndocker-compose up -d\n`;

const WEB = `  web:
    image: nginx
    ports:
      - "HOST_PORT:80"
`;

describe('files the compose pulls in are part of the app', () => {
  it('an included file with a privileged, host-network, root-mounting service is refused at publish', () => {
    const r = normalizeVersion({
      app: 'x',
      version: '1',
      kind: 'container',
      install_script: script({ 'inc.yml': HOSTILE_SERVICE, 'docker-compose.yml': `include:\n  - inc.yml\nservices:\n${WEB}` }),
    });
    const rules = new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.rule));
    for (const rule of ['privileged', 'host-network', 'bind-outside-app', 'docker-socket']) expect(rules, [...rules].join(', ')).toContain(rule);
    expect(r.status).not.toBe('ready');
    expect(r.content.compose).not.toContain('include');
    expect(r.content.compose).toContain('pwn');
  });

  it('extends from a shipped file brings the base service into the checked compose', () => {
    const base = HOSTILE_SERVICE.replace('pwn:', 'b:');
    const r = normalizeVersion({
      app: 'x',
      version: '1',
      kind: 'container',
      install_script: script({ 'base.yml': base, 'docker-compose.yml': `services:\n${WEB}  evil:\n    extends:\n      file: base.yml\n      service: b\n` }),
    });
    expect(r.findings.filter((f) => f.severity === 'error' && f.service === 'evil').map((f) => f.rule)).toEqual(
      expect.arrayContaining(['privileged', 'host-network']),
    );
    expect(r.content.compose).not.toContain('extends');
  });

  it('an include of a file the version does not ship is refused, naming it', () => {
    const r = normalizeVersion({ app: 'x', version: '1', kind: 'container', compose: `include:\n  - /etc/evil.yml\nservices:\n${WEB}` });
    expect(r.status).toBe('rejected');
    expect(r.findings.find((f) => f.severity === 'error')?.message).toMatch(/evil\.yml/);
  });

  it('a service that takes its image from extends in the same file publishes', () => {
    const r = normalizeVersion({ app: 'x', version: '1', kind: 'container', compose: `services:\n${WEB}  worker:\n    extends: web\n    ports: []\n` });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});
