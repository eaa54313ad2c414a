/** The shape of a key's entry in the rule tables. */
import type { RuleId } from './ids';

/**
 * `'allow'`: any value the model accepts. `refuse`: present (and not `unless`) raises the rule, which
 * the rule's waiver makes an owner exception or a refusal. `check`: allowed, with value rules.
 */
export type KeyRule<V, Scope> = 'allow' | { refuse: RuleId; why: (v: V) => string; unless?: (v: V) => boolean } | { check: (v: V, scope: Scope) => void };

export type KeyTable<T, Scope> = { [K in keyof Required<T>]: KeyRule<NonNullable<T[K]>, Scope> };

/** Runs the table over an object of the model; raise(rule, message, key) reports a refusal. */
export function applyTable<T extends object, Scope>(
  obj: T,
  table: KeyTable<T, Scope>,
  scope: Scope,
  raise: (rule: RuleId, message: string, key: string) => void,
): void {
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    const rule = (table as Record<string, KeyRule<unknown, Scope>>)[key];
    if (rule === 'allow') continue;
    if ('refuse' in rule) {
      if (!rule.unless?.(value)) raise(rule.refuse, rule.why(value), key);
    } else rule.check(value, scope);
  }
}
