/**
 * The safety policy's entry point for a compose text: read into the Compose model, then the allow-list
 * of core/compose/rules. Never throws for bad input: a file that cannot be read is a finding too.
 */
import { checkModel, type PolicyOptions } from '../compose/policy';
import { readCompose } from '../compose/model';
import type { ComposeDoc } from './compose';
import { CatalogError } from './errors';
import type { Finding } from './types';

export type { PolicyOptions };
export { POLICY_RULES, WAIVABLE_RULES, isWaivable, type RuleId as PolicyRule } from '../compose/rules/ids';

export function checkPolicy(compose: string | ComposeDoc, opts: PolicyOptions): Finding[] {
  try {
    const read = readCompose(typeof compose === 'string' ? compose : compose.source);
    return read.ok ? checkModel(read.model, opts) : read.findings;
  } catch (e) {
    if (!(e instanceof CatalogError)) throw e;
    return [{ severity: 'error', rule: e.rule, message: e.message, ...(e.line ? { line: e.line, text: e.text } : {}) }];
  }
}
