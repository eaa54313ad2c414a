/**
 * Step policy: the rendered compose against the safety policy, with the real app folder, the share
 * roots and the host ports other apps hold. Any error finding refuses the install, naming the rule.
 * It reads the reported text (the one parse after render's), so findings name their line.
 */
import { checkPolicy } from '../../core/catalog/policy';
import type { Finding } from '../../core/catalog/types';
import { hostPortsInUse } from './ports';
import { defineStep } from './steps';
import { StepFailure } from './types';

function describe(f: Finding): string {
  const where = f.line ? ` [line ${f.line}${f.text ? `: ${f.text.trim()}` : ''}]` : '';
  return `${f.rule}${f.service ? ` (${f.service})` : ''}: ${f.message}${where}`;
}

export const policyStep = defineStep({
  name: 'policy',
  title: 'Checking the compose file against the safety policy',
  needs: ['rendered'],
  gives: [],
  async run(ctx) {
    const { work, task, deps, report, input } = ctx;
    const check = deps.checkPolicy ?? checkPolicy;
    let findings: Finding[];
    try {
      findings = check(input.rendered.text, {
        phase: 'host',
        appDir: work.appDir,
        shareRoots: deps.config.shareRoots,
        exceptions: task.payload.install.policy_exceptions ?? [],
        usedHostPorts: [...(await hostPortsInUse(ctx, input.target, { sockets: false }))].sort((a, b) => a - b),
        hostPort: input.target.hostPort,
      });
    } catch (e) {
      throw new StepFailure(`the compose file cannot be checked: ${(e as Error).message}`);
    }
    const errors = findings.filter((f) => f.severity === 'error');
    for (const f of findings) {
      if (f.severity === 'error') continue;
      if (f.allowed_by_exception) report.ok(`allowed by the owner's exception: ${describe(f)}`, { finding: f });
      else if (f.severity === 'info') report.ok(describe(f), { finding: f });
      else report.warn(describe(f), { finding: f });
    }
    if (errors.length) {
      throw new StepFailure(`refused by the safety policy: ${errors.map(describe).join('; ')}`, { findings: errors });
    }
    return findings.length ? `passed with ${findings.length} note(s)` : 'passed';
  },
});
