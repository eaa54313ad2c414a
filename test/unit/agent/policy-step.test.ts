/**
 * The host-phase check of versions published before the Compose model: at install or update the
 * agent's policy step reads the rendered compose through the same model and rule table, and a refusal
 * fails the task naming rule, service and line before any step that changes the host.
 */
import { describe, expect, it } from 'vitest';
import { policyStep } from '../../../agent/executor/policy';
import { addAgentLabels } from '../../../agent/executor/labels';
import { parseYamlBounded, stringifyCompose } from '../../../core/catalog/yaml-io';
import { PLANS } from '../../../agent/executor/plans';
import { StepFailure, type ExecutorDeps, type StepContext } from '../../../agent/executor/types';
import { fakeTask } from '../../helpers/fake-protocol';
import { VERSION_CHANGING_KINDS } from '../../../core/protocol';

function ctx(rendered: string, exceptions: string[] = []): { ctx: StepContext; notes: string[] } {
  const notes: string[] = [];
  const deps = {
    config: { shareRoots: [] },
    installs: { list: () => [] },
    docker: { docker: async () => ({ listContainers: async () => [] }), reset: () => {} },
  } as unknown as ExecutorDeps;
  const task = fakeTask();
  task.payload.install.policy_exceptions = exceptions;
  return {
    notes,
    ctx: {
      task,
      deps,
      signal: new AbortController().signal,
      work: {
        identifier: 'web1',
        appDir: '/var/hda/web-apps/web1',
        version: task.payload.version!,
        signature: '',
        made: {
          target: { composeFile: '/var/hda/web-apps/web1/docker-compose.yml', project: 'web1', hostPort: 35001, slot: 'a' },
          rendered: { text: rendered, real: {}, files: {}, images: [] },
        },
        secrets: {},
      },
      report: { ok: (m) => notes.push(m), warn: (m) => notes.push(m), progress: () => {} },
    } as StepContext,
  };
}

const old = (extra: string) => `services:\n  web:\n    image: x\n    container_name: web1\n    ports: ["35001:80"]\n${extra}`;

describe('policy step on an old version (host phase)', () => {
  it('an old version with a fixed container name still installs, with the labels the agent adds before the check', async () => {
    const labelled = stringifyCompose(
      addAgentLabels(
        parseYamlBounded(old('    volumes: ["/var/hda/web-apps/web1/html:/html"]\n    labels: {org.amahi.hda.zero-downtime: "true"}\n')).value as object,
        'web1',
        'inst-1',
      ),
    );
    expect(labelled).toContain('org.amahi.hda.install');
    expect(await policyStep.run(ctx(labelled).ctx)).toMatch(/passed/);
  });

  it('a key the old deny-list let through fails the task naming rule, service, line and text', async () => {
    const run = policyStep.run(ctx(old('    runtime: nvidia\n    network-mode: host\n')).ctx);
    await expect(run).rejects.toThrow(StepFailure);
    await expect(policyStep.run(ctx(old('    runtime: nvidia\n')).ctx)).rejects.toThrow(
      'runtime (web): service "web": runs under the "nvidia" runtime [line 6: runtime: nvidia]',
    );
    await expect(policyStep.run(ctx(old('    network-mode: host\n')).ctx)).rejects.toThrow(/unknown-key \(web\).*\[line 6: network-mode: host\]/);
    await expect(
      policyStep.run(
        ctx(
          'services:\n  web:\n    image: x\n    ports: ["35001:80"]\n    volumes: ["root:/h"]\nvolumes:\n  root:\n    driver_opts: {type: none, o: bind, device: /}\n',
        ).ctx,
      ),
    ).rejects.toThrow(/volume-driver/);
  });

  it('an owner exception still allows a waivable rule on the host', async () => {
    const { ctx: c, notes } = ctx(old('    privileged: true\n'), ['privileged']);
    expect(await policyStep.run(c)).toMatch(/passed/);
    expect(notes.join('\n')).toMatch(/allowed by the owner's exception: privileged/);
  });

  it('the check runs before any step that changes the host, on install and on update', () => {
    for (const kind of VERSION_CHANGING_KINDS) {
      const names = PLANS[kind].map((s) => s.name);
      const at = names.indexOf('policy');
      expect(at).toBeGreaterThan(-1);
      for (const changing of ['prepare', 'pull', 'up', 'vhost', 'reload', 'retire'] as const)
        if (names.includes(changing)) expect(names.indexOf(changing)).toBeGreaterThan(at);
    }
  });
});
