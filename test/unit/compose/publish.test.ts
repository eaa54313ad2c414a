import { describe, expect, it } from 'vitest';
import { normalizeVersion } from '../../../core/catalog/normalize';
import { readCompose } from '../../../core/compose/model';
import { MAX_SECRETS } from '../../../core/catalog/secrets';
import { renderCompose } from '../../../core/catalog/render';
import { SAMPLE_INSTALL_VARS } from '../../../core/catalog/placeholders';

const base = { app: 'demo', version: '1.0', kind: 'container-custom' };
const publish = (compose: string, extra: Record<string, unknown> = {}) => normalizeVersion({ ...base, compose, ...extra });
const stored = (r: ReturnType<typeof publish>) => {
  const read = readCompose(r.content.compose);
  if (!read.ok) throw new Error(JSON.stringify(read.findings));
  return read.model.spec;
};

describe('fixed container names at publish', () => {
  it('a literal name is removed and kept as a network alias on the default network; an info finding says so', () => {
    const r = publish('services:\n  web:\n    image: x\n    container_name: portainer\n    ports: ["HOST_PORT:80"]\n');
    expect(r.status).toBe('ready');
    const web = stored(r).services.web;
    expect(web.container_name).toBeUndefined();
    expect(web.networks).toEqual({ default: { aliases: ['portainer'] } });
    expect(r.findings).toContainEqual(
      expect.objectContaining({ severity: 'info', rule: 'fixed-container-name', service: 'web', line: 4, text: '    container_name: portainer' }),
    );
  });

  it('on every network the service joins, keeping its other settings and aliases', () => {
    const r = publish(
      'services:\n  db:\n    image: postgres\n    container_name: mydb\n    networks:\n      back: {aliases: [database]}\n      front:\n  web:\n    image: x\n    ports: ["HOST_PORT:80"]\n    networks: [front]\nnetworks:\n  back: {}\n  front: {}\n',
    );
    expect(stored(r).services.db.networks).toEqual({ back: { aliases: ['database', 'mydb'] }, front: { aliases: ['mydb'] } });
    const listed = publish(
      'services:\n  db:\n    image: postgres\n    container_name: mydb\n    networks: [back]\n  web:\n    image: x\n    ports: ["HOST_PORT:80"]\nnetworks:\n  back: {}\n',
    );
    expect(stored(listed).services.db.networks).toEqual({ back: { aliases: ['mydb'] } });
  });

  it('APP_IDENTIFIER names are removed too: the alias carries the placeholder and renders to the install identifier', () => {
    const r = publish('services:\n  web:\n    image: x\n    container_name: APP_IDENTIFIER\n    ports: ["HOST_PORT:80"]\n');
    expect(r.content.compose).not.toContain('container_name');
    const rendered = renderCompose(r.content.compose, SAMPLE_INSTALL_VARS);
    expect(rendered).toContain(`- ${SAMPLE_INSTALL_VARS.APP_IDENTIFIER}`);
  });

  it('a service with network_mode cannot carry an alias: a warning says so; the name equal to the service needs none', () => {
    const r = publish(
      'services:\n  db:\n    image: postgres\n    container_name: db\n  web:\n    image: x\n    container_name: webby\n    network_mode: "service:db"\n  proxy:\n    image: y\n    ports: ["HOST_PORT:80"]\n',
    );
    expect(r.findings).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        rule: 'fixed-container-name',
        service: 'web',
        message: expect.stringContaining('cannot carry a network alias'),
      }),
    );
    expect(r.findings).toContainEqual(expect.objectContaining({ severity: 'info', rule: 'fixed-container-name', service: 'db' }));
    const spec = stored(r);
    expect(spec.services.web.networks).toBeUndefined();
    expect(spec.services.db.networks).toBeUndefined();
    expect(r.status).toBe('ready');
  });
});

describe('per-install secrets at publish', () => {
  const withSecret =
    'services:\n  web:\n    image: x\n    ports: ["HOST_PORT:80"]\n    environment:\n      DB_URL: "postgres://app:APP_SECRET_DB@db/app"\n      ADMIN: APP_SECRET_ADMIN_KEY\n  db:\n    image: postgres\n    environment: ["POSTGRES_PASSWORD=APP_SECRET_DB"]\n';

  it('are accepted, survive normalization untouched and are listed in the stored content', () => {
    const r = publish(withSecret);
    expect(r.status).toBe('ready');
    expect(r.content.secrets).toEqual(['ADMIN_KEY', 'DB']);
    expect(r.content.compose).toContain('postgres://app:APP_SECRET_DB@db/app');
    expect(r.content.compose).toContain('POSTGRES_PASSWORD=APP_SECRET_DB');
  });

  it('a version without secrets lists none', () => {
    expect(publish('services:\n  web:\n    image: x\n    ports: ["HOST_PORT:80"]\n').content.secrets).toBeUndefined();
  });

  it('the trial render substitutes sample secrets: a secret that breaks the file is caught at publish', () => {
    // Two keys that differ only by their secret collide once a value is filled in.
    const r = publish('services:\n  web:\n    image: x\n    ports: ["HOST_PORT:80"]\n    environment:\n      APP_SECRET_A: one\n      sampleasecret: two\n');
    expect(r.status).toBe('rejected');
    expect(r.findings).toContainEqual(expect.objectContaining({ rule: 'placeholder-position', message: expect.stringContaining('appear twice') }));
  });

  it(`at most ${MAX_SECRETS} names`, () => {
    const env = Array.from({ length: MAX_SECRETS + 1 }, (_, i) => `      - S${i}=APP_SECRET_S${i}\n`).join('');
    const r = publish(`services:\n  web:\n    image: x\n    ports: ["HOST_PORT:80"]\n    environment:\n${env}`);
    expect(r.status).toBe('rejected');
    expect(r.findings).toContainEqual(expect.objectContaining({ severity: 'error', rule: 'too-many-secrets' }));
  });
});

describe('the normalized compose is the model', () => {
  it('x- extensions are allowed and dropped; keys keep the publisher order', () => {
    const r = publish(
      'x-common: &c {restart: always}\nservices:\n  web:\n    <<: *c\n    image: x\n    x-note: hi\n    ports: ["HOST_PORT:80"]\n    build: {context: ., x-cache: 1}\n',
      { install_script: null },
    );
    expect(r.content.compose).not.toMatch(/x-/);
    expect(r.content.compose.indexOf('restart')).toBeLessThan(r.content.compose.indexOf('image'));
  });

  it('an unknown key is refused with rule, service, line and text, and nothing is stored', () => {
    const r = publish('services:\n  web:\n    image: x\n    ports: ["HOST_PORT:80"]\n    network-mode: host\n');
    expect(r.status).toBe('rejected');
    expect(r.content.compose).toBe('');
    expect(r.findings).toContainEqual(
      expect.objectContaining({ severity: 'error', rule: 'unknown-key', service: 'web', line: 5, text: '    network-mode: host' }),
    );
  });

  it('each dialect gives a verdict', () => {
    const r = publish('name: demo\nservices:\n  web:\n    image: x\n    ports: ["HOST_PORT:80"]\n');
    expect(r.dialects).toEqual({ v1: { ok: true }, v2: { ok: true } });
  });

  it('a waivable refusal needs review; a refusal by name rejects the version', () => {
    expect(publish('services:\n  web:\n    image: x\n    ports: ["HOST_PORT:80"]\n    privileged: true\n').status).toBe('needs_review');
    expect(publish('services:\n  web:\n    image: x\n    ports: ["HOST_PORT:80"]\n    runtime: nvidia\n').status).toBe('rejected');
  });
});
