import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../agent/config';
import { EventSender } from '../../../agent/events';
import { Executor } from '../../../agent/executor/index';
import { renderStep } from '../../../agent/executor/render';
import { StepFailure, type ExecutorDeps, type Step } from '../../../agent/executor/types';
import { InstallRegistry } from '../../../agent/installs';
import { Journal } from '../../../agent/journal';
import { silentLogger } from '../../../agent/log';
import { SecretStore } from '../../../agent/secrets';
import * as dialect from '../../../core/compose/dialect';
import { stringifyCompose } from '../../../core/catalog/yaml-io';
import { FakeProtocolClient, fakeTask } from '../../helpers/fake-protocol';

const COMPOSE = `name: web
services:
  web:
    image: example/web:1
    environment:
      DB_PASSWORD: APP_SECRET_DB
      URL: postgres://app:APP_SECRET_DB@db/app
    volumes:
      - ./data:/data
`;

function setup(flavor: 'v1' | 'v2', plan: Step[]) {
  const stateDir = mkdtempSync(join(tmpdir(), 'hda-render-'));
  const config = loadConfig({ 'state-dir': stateDir, 'apps-root': join(stateDir, 'apps') }, {});
  const client = new FakeProtocolClient();
  const journal = new Journal(stateDir);
  const sender = new EventSender(journal, client, silentLogger);
  const lines: string[] = [];
  const log = { ...silentLogger, info: (m: string) => lines.push(m), error: (m: string, d?: unknown) => lines.push(`${m} ${JSON.stringify(d)}`) };
  const deps = {
    config,
    log,
    installs: new InstallRegistry(stateDir),
    compose: { detect: async () => ({ flavor, version: flavor === 'v1' ? '1.29.2' : '2.26.1', argv: [] }) },
    docker: { docker: () => Promise.reject(new Error('no docker')), reset() {} },
    pinnedKeys: () => ({ keys: [] }),
  } as unknown as ExecutorDeps;
  return { client, stateDir, lines, executor: () => new Executor(deps, journal, sender, { install: plan, update: plan }) };
}

const task = (id: string, kind: 'install' | 'update' = 'install', secrets?: string[]) => {
  const t = fakeTask({ id, kind });
  t.payload.version = { ...t.payload.version!, compose: COMPOSE, files: { 'conf/app.ini': 'key = APP_SECRET_API_KEY\n' }, ...(secrets ? { secrets } : {}) };
  return t;
};

/** Stands in for a failing `up` whose error echoes the container's environment. */
const echoingUp = (seen: { real?: string }): Step => ({
  name: 'up',
  title: 'up',
  async run(ctx) {
    seen.real = ctx.work.made.rendered && stringifyCompose(ctx.work.made.rendered.real);
    throw new StepFailure(`up failed: invalid value ${ctx.work.secrets.DB} for DB_PASSWORD`);
  },
});

describe('render: per-install secrets and the Compose dialect', () => {
  it('generates each secret once, writes the values only into the file for disk, and nothing sent or logged carries them', async () => {
    const seen: { real?: string } = {};
    const { client, stateDir, lines, executor } = setup('v2', [renderStep, echoingUp(seen)]);
    await executor().execute(task('t1'), new AbortController().signal);
    const values = new SecretStore(stateDir).load('web1');
    expect(Object.keys(values)).toEqual(['API_KEY', 'DB']);
    expect(values.DB).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(statSync(join(stateDir, 'secrets', 'web1.json')).mode & 0o777).toBe(0o600);
    // A value that starts with a digit is written quoted, so both YAML dialects read a string.
    expect(seen.real).toMatch(new RegExp(`DB_PASSWORD: "?${values.DB}"?\\n`));
    expect(seen.real).toContain(`postgres://app:${values.DB}@db/app`);
    const sent = JSON.stringify([client.events.get('t1'), client.results.get('t1')]);
    expect(sent).toContain('APP_SECRET_DB');
    for (const v of Object.values(values)) {
      expect(sent).not.toContain(v);
      expect(lines.join('\n')).not.toContain(v);
      // The journal (events not yet acknowledged, the result) and the install records hold placeholders only.
      for (const f of readdirSync(stateDir, { recursive: true, withFileTypes: true })) {
        if (f.isFile() && !f.parentPath.includes('secrets')) expect(readFileSync(join(f.parentPath, f.name), 'utf8')).not.toContain(v);
      }
    }
    expect(client.results.get('t1')!.detail).toMatch(/invalid value APP_SECRET_DB/);
  });

  it('keeps the values across later renders (update) and generates only names a newer version adds', async () => {
    const seen: { real?: string } = {};
    const { stateDir, executor } = setup('v2', [renderStep, echoingUp(seen)]);
    await executor().execute(task('t1'), new AbortController().signal);
    const first = new SecretStore(stateDir).load('web1');
    await executor().execute(task('t2', 'update', ['DB', 'ADMIN']), new AbortController().signal);
    const second = new SecretStore(stateDir).load('web1');
    expect(second.DB).toBe(first.DB);
    expect(second.API_KEY).toBe(first.API_KEY);
    expect(second.ADMIN).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it("renders the result for this HDA's dialect with absolute host paths, and reports what was translated", async () => {
    const { client, stateDir, executor } = setup('v1', [renderStep]);
    await executor().execute(task('t1'), new AbortController().signal);
    const r = client.results.get('t1')!;
    expect(r.state).toBe('succeeded');
    expect(r.rendered_compose).not.toMatch(/^name:/m);
    expect(r.rendered_compose).toContain(`${join(stateDir, 'apps', 'web1')}/data:/data`);
    expect(client.events.get('t1')!.some((e) => e.status === 'OK' && /Compose v1: the top-level "name" was dropped/.test(e.message))).toBe(true);
  });

  it('fails at render with the reasons when the dialect cannot run the version, keeping no new secret', async () => {
    const spy = vi.spyOn(dialect, 'toDialect').mockReturnValue({ ok: false, reasons: ['service "web": "develop" is not supported by Compose v1'] });
    try {
      const { client, stateDir, executor } = setup('v1', [renderStep]);
      await executor().execute(task('t1'), new AbortController().signal);
      expect(client.results.get('t1')).toMatchObject({ state: 'failed', step: 'render' });
      expect(client.results.get('t1')!.detail).toMatch(/Compose v1 on this HDA cannot run this version: service "web": "develop"/);
      expect(new SecretStore(stateDir).load('web1')).toEqual({});
    } finally {
      spy.mockRestore();
    }
  });
});
