/**
 * A task the agent runs again after it stopped mid-task (kill -9: only the journal survives) gets every
 * product its steps need: each step runs again and gives its products anew, and the snapshot step,
 * which must not snapshot twice, gives its product back from the journal. Every plan the executor
 * runs is checked here too, including the ones not built with `plan`.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SnapshotReport } from '../../../core/protocol';
import { loadConfig } from '../../../agent/config';
import { EventSender } from '../../../agent/events';
import { Executor } from '../../../agent/executor/index';
import { AGENT_PLANS } from '../../../agent/executor/plans';
import { prepareStep } from '../../../agent/executor/prepare';
import { renderStep } from '../../../agent/executor/render';
import { snapshotStep } from '../../../agent/executor/snapshot';
import { defineStep } from '../../../agent/executor/steps';
import { StepFailure, type ExecutorDeps, type Product, type Step } from '../../../agent/executor/types';
import { InstallRegistry } from '../../../agent/installs';
import { Journal } from '../../../agent/journal';
import { silentLogger } from '../../../agent/log';
import { FakeProtocolClient, fakeTask } from '../../helpers/fake-protocol';

/** An agent on `stateDir`: a second call on the same folder is the agent started again after a kill. */
function agent(stateDir: string, plans: Record<string, Step[]>) {
  const config = loadConfig({ 'state-dir': stateDir, 'apps-root': join(stateDir, 'apps') }, {});
  const client = new FakeProtocolClient();
  const journal = new Journal(stateDir);
  const deps = {
    config,
    log: silentLogger,
    installs: new InstallRegistry(stateDir),
    compose: { detect: async () => ({ flavor: 'v2', version: '2.26.1', argv: [] }) },
    docker: { docker: () => Promise.reject(new Error('no docker in unit tests')), reset() {} },
    pinnedKeys: () => ({ keys: [] }),
  } as unknown as ExecutorDeps;
  return { client, journal, executor: new Executor(deps, journal, new EventSender(journal, client, silentLogger), plans) };
}

const plain = (name: Step['name'], run: Step['run'] = async () => `${name} done`): Step => ({ name, title: name, run });

describe('plans: every need is given before it', () => {
  it('in each plan the executor runs, each step needs only what the run starts with or an earlier step gives', () => {
    for (const [kind, steps] of Object.entries(AGENT_PLANS)) {
      const have = new Set<Product>(['target']);
      for (const step of steps ?? []) {
        for (const need of step.needs ?? []) expect(have.has(need), `${kind}: ${step.name} needs ${need}`).toBe(true);
        for (const g of step.gives ?? []) have.add(g);
      }
    }
  });

  it('a step that declares a product must give it', async () => {
    // @ts-expect-error gives `outcome` but returns only words
    defineStep({ name: 'prune', title: 'x', needs: [], gives: ['outcome'], run: async () => 'done' });
    // @ts-expect-error reads `rendered` without declaring it
    defineStep({ name: 'up', title: 'x', needs: [], gives: [], run: async ({ input }) => input.rendered.text });
    const liar = defineStep({ name: 'prune', title: 'x', needs: [], gives: ['outcome'], run: async () => ({ summary: 'done', made: {} }) as never });
    const stateDir = mkdtempSync(join(tmpdir(), 'hda-resume-'));
    const { client, executor } = agent(stateDir, { install: [liar as Step] });
    await executor.execute(fakeTask({ id: 'liar' }), new AbortController().signal);
    expect(client.results.get('liar')).toMatchObject({ state: 'failed' });
    expect(client.results.get('liar')!.detail).toMatch(/step prune did not give outcome/);
  });
});

describe('a task run again after the agent was killed', () => {
  const COMPOSE = 'services:\n  web:\n    image: example/web:1\n    ports: ["HOST_PORT:80"]\n';
  const installTask = () => {
    const t = fakeTask({ id: 'resumed' });
    t.payload.version = { ...t.payload.version!, compose: COMPOSE };
    return t;
  };

  it('renders again, so prepare has the compose it needs though render finished in the first run', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'hda-resume-'));
    const kill = new AbortController();
    // The first run stops between pull and prepare: render's product existed only in that run's memory.
    const pullThenKilled = plain('pull', async () => (kill.abort(), 'pulled'));
    const first = agent(stateDir, { install: [renderStep, pullThenKilled, prepareStep] });
    expect(await first.executor.execute(installTask(), kill.signal)).toBe('interrupted');
    expect(first.journal.get('resumed')?.runs).toBe(1);
    const again = agent(stateDir, { install: [renderStep, plain('pull'), prepareStep] });
    expect(await again.executor.execute(installTask(), new AbortController().signal)).toBe('succeeded');
    const r = again.client.results.get('resumed')!;
    expect(r.rendered_compose).toContain('127.0.0.1:35001:80');
    const file = join(stateDir, 'compose', 'web1', 'docker-compose.yml');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('127.0.0.1:35001:80');
    expect(again.client.events.get('resumed')!.some((e) => e.status === 'Warning' && /run 2/.test(e.message))).toBe(true);
  });

  it("the snapshot taken before the kill is the run's snapshot product: reported, and what the way back restores", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'hda-resume-'));
    const kept: SnapshotReport = {
      id: 'abcd1234ef',
      reason: 'update',
      taken_at: '2026-12-01T00:00:00.000Z',
      size_bytes: 10,
      added_bytes: 10,
      downtime_ms: 5,
      files: 1,
      volumes: [],
    };
    const t = fakeTask({ kind: 'update', id: 'resumed' });
    t.payload.version = { ...t.payload.version!, version: '2.0' };
    t.payload.previous = { deployment_id: 'dep-0', version: { ...t.payload.version, version: '1.0' } };
    // What the journal holds after a kill right after the snapshot step of run 1.
    const journal = new Journal(stateDir);
    journal.begin(t);
    journal.setMemo(t.id, 'snapshot', kept);
    const restoring: string[] = [];
    const up = plain('up', async (ctx) => {
      if (ctx.work.version?.version === '2.0') throw new StepFailure('container exited (1)');
      restoring.push(ctx.work.restoreSnapshot ?? 'none');
      return 'up';
    });
    const { client, executor } = agent(stateDir, { update: [snapshotStep, plain('prepare'), up], install: [plain('verify'), plain('prepare'), up] });
    expect(await executor.execute(t, new AbortController().signal)).toBe('failed');
    const r = client.results.get('resumed')!;
    expect(r.snapshots).toEqual([kept]);
    expect(client.events.get('resumed')!.some((e) => /re-using snapshot abcd1234 taken before the agent stopped/.test(e.message))).toBe(true);
    // The way back was asked to put back exactly that snapshot (its restore step needs Docker: it fails here, and says so).
    expect(r.detail).toMatch(/rolling back failed too at restore/);
    expect(client.events.get('resumed')!.some((e) => e.status === 'Warning' && /with its data as of snapshot abcd1234/.test(e.message))).toBe(true);
    expect(restoring).toEqual([]);
  });
});
