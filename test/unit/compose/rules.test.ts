import { describe, expect, it } from 'vitest';
import { checkPolicy, POLICY_RULES, WAIVABLE_RULES, type PolicyOptions } from '../../../core/catalog/policy';
import { RULES } from '../../../core/compose/rules/ids';
import { RULE_CASES } from './rule-cases';

const pub: PolicyOptions = { phase: 'publish' };
const hits = (compose: string, rule: string, opts: PolicyOptions = pub) => checkPolicy(compose, opts).filter((f) => f.rule === rule);
/** Rules raised outside checkPolicy, tested where they are raised (test/unit/compose/publish.test.ts). */
// Raised by the publish pipeline, which knows the shipped files (test/unit/compose/shipped-files.test.ts, publish.test.ts).
const RAISED_AT_PUBLISH = ['too-many-secrets', 'fixed-container-name', 'unshipped-file', 'env-file-syntax'];

describe('the rule table: one refused and one allowed compose per rule', () => {
  it.each(RULE_CASES.map((c, i) => [`${c.rule} #${i}`, c] as const))('%s', (_n, c) => {
    const opts = c.opts ?? pub;
    const found = hits(c.refused, c.rule, opts);
    expect(found.length, JSON.stringify(checkPolicy(c.refused, opts))).toBeGreaterThan(0);
    expect(found[0].severity).toBe(c.severity ?? 'error');
    expect(found[0].message.length).toBeGreaterThan(10);
    // Every refusal names where it is: the line and its text.
    expect(found[0].line).toBeGreaterThan(0);
    expect(found[0].text).toBeTruthy();
    const passing = checkPolicy(c.passes, opts);
    expect(passing.filter((f) => f.rule === c.rule)).toEqual([]);
    expect(
      passing.filter((f) => f.severity === 'error' && !['fixed-host-port'].includes(f.rule)),
      JSON.stringify(passing),
    ).toEqual([]);
  });

  it.each(RULE_CASES.filter((c) => (c.severity ?? 'error') === 'error').map((c, i) => [`${c.rule} #${i}`, c] as const))(
    '%s: an owner exception allows it only when the rule is waivable',
    (_n, c) => {
      const opts = { ...(c.opts ?? pub), exceptions: [c.rule] };
      const found = hits(c.refused, c.rule, opts);
      if ((WAIVABLE_RULES as string[]).includes(c.rule)) {
        expect(found.every((f) => f.severity === 'info' && f.allowed_by_exception === true && f.message.includes('exception'))).toBe(true);
      } else {
        expect(found.every((f) => f.severity === 'error' && !f.allowed_by_exception)).toBe(true);
      }
    },
  );

  it('every rule of the table has a case, and the cases name no rule outside it', () => {
    const covered = new Set([...RULE_CASES.map((c) => c.rule), ...RAISED_AT_PUBLISH]);
    expect([...covered].sort()).toEqual([...POLICY_RULES].sort());
  });

  it('rule ids come from the table: waivable ones are exactly the owner rules, and the ids stored exceptions use are kept', () => {
    expect(WAIVABLE_RULES).toEqual(POLICY_RULES.filter((r) => RULES[r].waiver === 'owner'));
    for (const id of [
      'privileged',
      'host-network',
      'host-pid',
      'host-ipc',
      'cap-add',
      'devices',
      'docker-socket',
      'bind-outside-app',
      'build-outside-app',
      'low-host-port',
      'fixed-host-port',
      'no-host-port',
    ]) {
      expect(WAIVABLE_RULES).toContain(id);
    }
  });

  it('an exception allows only the rule it names', () => {
    const c = RULE_CASES[0].refused.replace('    privileged: true\n', '    privileged: true\n    volumes: ["/var/run/docker.sock:/var/run/docker.sock"]\n');
    const f = checkPolicy(c, { phase: 'host', exceptions: ['docker-socket'] });
    expect(f).toContainEqual(expect.objectContaining({ rule: 'docker-socket', severity: 'info', allowed_by_exception: true }));
    expect(f).toContainEqual(expect.objectContaining({ rule: 'privileged', severity: 'error', service: 'app', line: 5, text: '    privileged: true' }));
  });

  it('a file that is not a compose file is a finding, not an exception', () => {
    expect(checkPolicy('services: [x\n', pub)).toEqual([expect.objectContaining({ severity: 'error', rule: 'yaml' })]);
    expect(checkPolicy('services:\n  a: {}\n', pub)).toEqual([expect.objectContaining({ severity: 'error', rule: 'service-no-image' })]);
  });
});
