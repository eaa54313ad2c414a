import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { COMPOSE_FILE, composeDirFor } from '../../../agent/executor/paths';
import { describe, expect, it } from 'vitest';
import { STEP_NAMES, type StepName } from '../../../core/protocol';
import { loadConfig } from '../../../agent/config';
import { EventSender } from '../../../agent/events';
import { Executor } from '../../../agent/executor/index';
import { PLANS } from '../../../agent/executor/plans';
import { StepFailure, type ExecutorDeps, type Step } from '../../../agent/executor/types';
import { InstallRegistry } from '../../../agent/installs';
import { Journal } from '../../../agent/journal';
import { silentLogger } from '../../../agent/log';
import { FakeProtocolClient, fakeTask } from '../../helpers/fake-protocol';

function setup(plans: Record<string, Step[]>) {
  const stateDir = mkdtempSync(join(tmpdir(), 'hda-exec-'));
  const config = loadConfig({ 'state-dir': stateDir, 'apps-root': join(stateDir, 'apps') }, {});
  const client = new FakeProtocolClient();
  const journal = new Journal(stateDir);
  const sender = new EventSender(journal, client, silentLogger);
  const deps = {
    config,
    log: silentLogger,
    installs: new InstallRegistry(stateDir),
    docker: { docker: () => Promise.reject(new Error('no docker in unit tests')), reset() {} },
    pinnedKeys: () => ({ keys: [] }),
  } as unknown as ExecutorDeps;
  return { client, journal, sender, executor: new Executor(deps, journal, sender, plans), stateDir, deps };
}

function step(name: StepName, fn: Step['run'] = async () => `${name} done`): Step {
  return { name, title: `doing ${name}`, run: fn };
}

describe('executor', () => {
  it('runs the steps in order, opening and closing each, and posts the result after every event', async () => {
    const ran: string[] = [];
    const plan = (['verify', 'render', 'up'] as const).map((n) =>
      step(n, async (ctx) => {
        ran.push(n);
        ctx.report.ok(`inside ${n}`);
        return `${n} done`;
      }),
    );
    const { client, executor } = setup({ install: plan });
    const outcome = await executor.execute(fakeTask(), new AbortController().signal);
    expect(outcome).toBe('succeeded');
    expect(ran).toEqual(['verify', 'render', 'up']);
    const events = client.events.get('task-1')!;
    expect(events.map((e) => `${e.step ?? '-'}:${e.status}`)).toEqual([
      'verify:Starting',
      'verify:OK',
      'verify:Complete',
      'render:Starting',
      'render:OK',
      'render:Complete',
      'up:Starting',
      'up:OK',
      'up:Complete',
      '-:Finalized',
    ]);
    expect(client.seqs('task-1')).toEqual(events.map((_, i) => i + 1));
    expect(client.results.get('task-1')).toMatchObject({ state: 'succeeded', app_state: 'running' });
  });

  it('stops at the first failing step and reports the step and the reason', async () => {
    const ran: string[] = [];
    const plan = [
      step('verify', async () => (ran.push('verify'), 'ok')),
      step('pull', async () => {
        ran.push('pull');
        throw new StepFailure('pulling nope:latest failed: manifest unknown');
      }),
      step('up', async () => (ran.push('up'), 'ok')),
    ];
    const { client, executor } = setup({ install: plan });
    expect(await executor.execute(fakeTask(), new AbortController().signal)).toBe('failed');
    expect(ran).toEqual(['verify', 'pull']);
    const events = client.events.get('task-1')!;
    const error = events.find((e) => e.status === 'Error')!;
    expect(error).toMatchObject({ step: 'pull', message: 'pulling nope:latest failed: manifest unknown' });
    expect(events.at(-1)!.status).toBe('Finalized');
    expect(client.results.get('task-1')).toMatchObject({ state: 'failed', step: 'pull' });
    expect(client.results.get('task-1')!.detail).toContain('manifest unknown');
  });

  it('turns a crashing step into a failed task, never a crashed agent', async () => {
    const { client, executor } = setup({
      install: [
        step('render', async () => {
          throw new TypeError('x is undefined');
        }),
      ],
    });
    expect(await executor.execute(fakeTask(), new AbortController().signal)).toBe('failed');
    expect(client.results.get('task-1')).toMatchObject({ state: 'failed', step: 'render' });
  });

  it('fails a task whose identifier could inject a path, before any step runs', async () => {
    let ran = false;
    const { client, executor } = setup({ install: [step('verify', async () => ((ran = true), 'ok'))] });
    const task = fakeTask();
    task.payload.install.identifier = '../etc';
    expect(await executor.execute(task, new AbortController().signal)).toBe('failed');
    expect(ran).toBe(false);
    expect(client.results.get('task-1')!.detail).toMatch(/identifier/);
  });

  it('stops between steps on shutdown and leaves the task in hand; a re-run continues the sequence', async () => {
    const ac = new AbortController();
    const plan = [step('verify'), step('render', async () => (ac.abort(), 'rendered')), step('up')];
    const { client, executor, journal, sender, deps } = setup({ install: plan });
    expect(await executor.execute(fakeTask(), ac.signal)).toBe('interrupted');
    await sender.drain('task-1');
    expect(journal.get('task-1')!.task?.id).toBe('task-1');
    expect(client.results.has('task-1')).toBe(false);
    const firstRun = client.seqs('task-1');
    // The agent starts again: same journal, the task is run again from the top and converges.
    const again = new Executor(deps, journal, sender, { install: plan.map((s) => (s.name === 'render' ? step('render') : s)) });
    expect(await again.execute(fakeTask(), new AbortController().signal)).toBe('succeeded');
    const seqs = client.seqs('task-1');
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(seqs.length).toBeGreaterThan(firstRun.length);
    expect(client.events.get('task-1')!.find((e) => e.seq === firstRun.length + 1)).toMatchObject({ status: 'Warning' });
  });

  it('keeps events through an outage and delivers each exactly once', async () => {
    const { client, executor } = setup({ install: [step('verify'), step('render'), step('up')] });
    client.failNextEventPosts = 3;
    expect(await executor.execute(fakeTask(), new AbortController().signal)).toBe('succeeded');
    const seqs = client.seqs('task-1');
    expect(seqs).toEqual(Array.from({ length: 7 }, (_, i) => i + 1));
    expect(client.results.get('task-1')!.state).toBe('succeeded');
  });

  it('a failed reconfigure writes back the compose file that ran before; when starting it fails too, the result says both', async () => {
    const { client, executor, deps, stateDir } = setup({
      reconfigure: [
        step('verify'),
        step('prepare', async (ctx) => (writeFileSync(ctx.work.made.target.composeFile, 'services: {new: {}}\n'), 'written')),
        step('up', async () => {
          throw new StepFailure('Range of CPUs is from 0.01 to 2.00');
        }),
      ],
    });
    const composeFile = join(composeDirFor(stateDir, 'web1'), COMPOSE_FILE);
    mkdirSync(dirname(composeFile), { recursive: true });
    writeFileSync(composeFile, 'services: {old: {}}\n');
    deps.installs.put({
      identifier: 'web1',
      install_id: 'inst-1',
      hostname: 'web1.home.test',
      host_port: 35001,
      domain: 'home.test',
      app: 'web',
      version: '1.0',
      app_dir: '/x',
      desired: 'running',
    });
    const t = fakeTask({ kind: 'reconfigure' });
    t.payload.install.limits = { cpus: 100 };
    expect(await executor.execute(t, new AbortController().signal)).toBe('failed');
    expect(readFileSync(composeFile, 'utf8')).toBe('services: {old: {}}\n');
    const r = client.results.get('task-1')!;
    // This fake agent has no Docker: putting the old settings back fails at its first step (the host-path
    // check stops the app's containers before it), and the result names both failures.
    expect(r.detail).toMatch(/^reconfigure failed at step up: Range of CPUs is from 0\.01 to 2\.00; putting back the previous settings failed too at mounts: /);
    expect(r.app_state).toBe('unknown');
    expect(client.events.get('task-1')!.some((e) => e.status === 'Warning' && /putting back the settings that ran before/.test(e.message))).toBe(true);
  });

  it('a failed update rolls back to the previous deployment and says so', async () => {
    const converged: string[] = [];
    const plan = [
      step('verify'),
      step('up', async (ctx) => {
        if (ctx.work.version!.version === '2.0') throw new StepFailure('container exited (1)');
        converged.push(ctx.work.version!.version);
        return 'up';
      }),
    ];
    const { client, executor } = setup({ install: plan, update: plan });
    const t = fakeTask({ kind: 'update' });
    t.payload.version = { ...t.payload.version!, version: '2.0' };
    t.payload.previous = { deployment_id: 'dep-0', version: { ...t.payload.version, version: '1.0' } };
    expect(await executor.execute(t, new AbortController().signal)).toBe('failed');
    expect(converged).toEqual(['1.0']);
    const r = client.results.get('task-1')!;
    expect(r).toMatchObject({ state: 'failed', step: 'up' });
    expect(r.detail).toMatch(/update failed at step up: container exited \(1\); rolled back to 1\.0/);
    expect(client.events.get('task-1')!.some((e) => e.status === 'Warning' && /rolling back/.test(e.message))).toBe(true);
  });

  it('install steps follow the protocol order; uninstall keeps data unless purged', () => {
    const names = PLANS.install!.map((s) => s.name);
    expect(names).toEqual(['verify', 'ports', 'render', 'policy', 'prepare', 'pull', 'mounts', 'up', 'health', 'vhost', 'reload', 'probe']);
    const order = names.map((n) => STEP_NAMES.indexOf(n as (typeof STEP_NAMES)[number]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // Uninstall snapshots the data first (the step runs only with purge: the data is about to go).
    expect(PLANS.uninstall!.map((s) => s.name)).toEqual(['snapshot', 'vhost', 'reload', 'down', 'cleanup', 'images']);
    // Updates pull and snapshot the data before they change anything (a rollback with data restores it then), retire the old slot after a blue/green switch, then tidy images.
    expect(PLANS.update!.map((s) => s.name)).toEqual([
      'verify',
      'render',
      'policy',
      'pull',
      'snapshot',
      'restore',
      'prepare',
      'mounts',
      'up',
      'health',
      'vhost',
      'reload',
      'probe',
      'retire',
      'images',
    ]);
    // New limits or a port recreate the containers in place: no pull, no switch, no image tidying.
    expect(PLANS.reconfigure!.map((s) => s.name)).toEqual([
      'verify',
      'ports',
      'render',
      'policy',
      'prepare',
      'mounts',
      'up',
      'health',
      'vhost',
      'reload',
      'probe',
    ]);
  });
});
