/**
 * Steps say what they read and what they produce: a plan whose step needs a product no earlier step
 * gives does not compile, the executor refuses the same at run time for plans built while running,
 * and an install reads the version's compose once and serializes each copy once (the reported one
 * and the one written), with the compose kept parsed from render until prepare writes it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { loadConfig } from '../../../agent/config';
import { EventSender } from '../../../agent/events';
import { Executor } from '../../../agent/executor/index';
import { mountsStep } from '../../../agent/executor/mounts';
import { INSTALL_PLAN } from '../../../agent/executor/plans';
import { policyStep } from '../../../agent/executor/policy';
import { prepareStep } from '../../../agent/executor/prepare';
import type { pullStep } from '../../../agent/executor/pull';
import { renderStep } from '../../../agent/executor/render';
import { plan, type UnmetNeeds } from '../../../agent/executor/steps';
import type { ExecutorDeps, Step } from '../../../agent/executor/types';
import { upStep } from '../../../agent/executor/up';
import { InstallRegistry } from '../../../agent/installs';
import { Journal } from '../../../agent/journal';
import { silentLogger } from '../../../agent/log';
import * as yamlIo from '../../../core/catalog/yaml-io';
import { FakeProtocolClient, fakeTask } from '../../helpers/fake-protocol';

const COMPOSE = `services:
  web:
    image: example/web:1
    ports: ["HOST_PORT:80"]
    environment:
      DB_PASSWORD: APP_SECRET_DB
    volumes:
      - ./data:/data
`;

function setup(plan: Step[]) {
  const stateDir = mkdtempSync(join(tmpdir(), 'hda-steps-'));
  const config = loadConfig({ 'state-dir': stateDir, 'apps-root': join(stateDir, 'apps') }, {});
  const client = new FakeProtocolClient();
  const journal = new Journal(stateDir);
  const deps = {
    config,
    log: silentLogger,
    installs: new InstallRegistry(stateDir),
    compose: { detect: async () => ({ flavor: 'v2', version: '2.26.1', argv: [] }) },
    docker: { docker: () => Promise.reject(new Error('no docker')), reset() {} },
    pinnedKeys: () => ({ keys: [] }),
  } as unknown as ExecutorDeps;
  const executor = new Executor(deps, journal, new EventSender(journal, client, silentLogger), { install: plan, update: plan });
  return { client, stateDir, executor };
}

const task = (id: string) => {
  const t = fakeTask({ id });
  t.payload.version = { ...t.payload.version!, compose: COMPOSE, files: {}, steps: [] };
  return t;
};

describe('plans check what each step needs', () => {
  it('a step whose need no earlier step gives does not compile', () => {
    expectTypeOf<UnmetNeeds<[typeof renderStep, typeof policyStep, typeof prepareStep, typeof pullStep]>>().toBeNever();
    expectTypeOf<UnmetNeeds<[typeof policyStep, typeof renderStep]>['lacks']>().toEqualTypeOf<'rendered'>();
    expectTypeOf<UnmetNeeds<[typeof renderStep, typeof mountsStep, typeof pullStep]>>().toBeNever();
    // @ts-expect-error policy reads the rendered compose, which only render (after it) gives
    plan([policyStep, renderStep]);
    // @ts-expect-error prepare writes what render produced: no render, no plan
    plan([prepareStep, upStep]);
    expect(plan([renderStep, policyStep, prepareStep]).map((s) => s.name)).toEqual(['render', 'policy', 'prepare']);
  });

  it('the executor refuses a step whose needs were not produced in this run (a plan built while running)', async () => {
    const { client, executor } = setup([prepareStep]);
    await executor.execute(task('t1'), new AbortController().signal);
    expect(client.results.get('t1')).toMatchObject({ state: 'failed', step: 'prepare' });
    expect(client.results.get('t1')!.detail).toMatch(/step prepare needs rendered, which no earlier step of this run produced/);
  });

  it('the install plan declares render before every step that reads its product', () => {
    INSTALL_PLAN.forEach((step, i) => {
      for (const need of step.needs ?? [])
        expect(
          INSTALL_PLAN.slice(0, i).some((earlier) => earlier.gives?.includes(need)),
          `${step.name} needs ${need}`,
        ).toBe(true);
    });
  });
});

describe('the compose from render to the file Compose runs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('an install parses the compose once in render and once where the policy reads the reported text, and serializes it once per copy', async () => {
    const parse = vi.spyOn(yamlIo, 'parseYamlBounded');
    const stringify = vi.spyOn(yamlIo, 'stringifyCompose');
    const { client, stateDir, executor } = setup([renderStep, policyStep, prepareStep, mountsStep]);
    await executor.execute(task('t1'), new AbortController().signal);
    const r = client.results.get('t1')!;
    expect(r.state, r.detail).toBe('succeeded');
    // The version's compose (render) and the reported text (policy, so findings name their line); mounts reads nothing back.
    expect(parse.mock.calls.map((c) => c[0])).toEqual([COMPOSE, r.rendered_compose]);
    // The reported copy (placeholders) and the one written (values): one serialization each.
    expect(stringify).toHaveBeenCalledTimes(2);
    const written = readFileSync(join(stateDir, 'compose', 'web1', 'docker-compose.yml'), 'utf8');
    expect(stringify.mock.results.map((x) => x.value)).toEqual([r.rendered_compose, written]);
    expect(r.rendered_compose).toContain('APP_SECRET_DB');
    expect(written).not.toContain('APP_SECRET_');
    expect(written).toContain('org.amahi.hda.managed-by');
    expect(written).toContain(`${join(stateDir, 'apps', 'web1')}/data:/data`);
    expect(written).toContain('127.0.0.1:35001:80');
  });

  it('an update does the same: one parse of the version, one of the reported text, one serialization per copy', async () => {
    const parse = vi.spyOn(yamlIo, 'parseYamlBounded');
    const stringify = vi.spyOn(yamlIo, 'stringifyCompose');
    // Mounts is left out: an update's first stops the running app (Docker); the install case shows it reads nothing back.
    const { client, executor } = setup([renderStep, policyStep, prepareStep]);
    const t = fakeTask({ kind: 'update', id: 'u1' });
    t.payload.version = { ...t.payload.version!, compose: COMPOSE, files: {}, steps: [], version: '2.0' };
    await executor.execute(t, new AbortController().signal);
    const r = client.results.get('u1')!;
    expect(r.state, r.detail).toBe('succeeded');
    expect(parse.mock.calls.map((c) => c[0])).toEqual([COMPOSE, r.rendered_compose]);
    expect(stringify).toHaveBeenCalledTimes(2);
  });
});
