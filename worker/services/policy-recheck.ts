/**
 * Versions published under an older policy keep installing until their next update, where the agent
 * checks them again: the install page says beforehand when today's policy would refuse one.
 */
import { checkPolicy } from '../../core/catalog/policy';
import type { Finding } from '../../core/catalog/types';
import type { AppVersionContent } from '../../core/protocol';

/** The refusals today's policy raises against a stored version, for this install's owner exceptions. */
export function refusedByTodaysPolicy(content: Pick<AppVersionContent, 'compose'>, exceptions: string[]): Finding[] {
  if (!content.compose) return [];
  return checkPolicy(content.compose, { phase: 'publish', exceptions }).filter((f) => f.severity === 'error');
}
