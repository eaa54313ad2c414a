/**
 * Steps that say what they read and what they produce. A step made with `defineStep` names the
 * products it needs (given by an earlier step of the same run) and the ones it gives; its `run` sees
 * the needed ones as present and must return the given ones. `plan` checks when compiling that every
 * step's needs are given by a step before it; the executor checks the same at run time for plans
 * built while running (the way back after a failed update).
 */
import type { AppTaskKind, StepName, TaskKind } from '../../core/protocol';
import { StepFailure, type Product, type Products, type Step, type StepContext, type TaskWork } from './types';

/** What a step with needs N runs with: those products present. */
export type StepInput<K extends TaskKind, N extends Product> = StepContext<K> & { input: Pick<Products, N> & Partial<Products> };

/** What a step returns: the Complete event's words, and the products it gives. */
export type StepDone<G extends Product> = [G] extends [never] ? string : { summary: string; made: Pick<Products, G> };

export interface StepSpec<K extends TaskKind, N extends Product, G extends Product> {
  name: StepName;
  title: string;
  needs: readonly N[];
  gives: readonly G[];
  run: (ctx: StepInput<K, N>) => Promise<StepDone<G>>;
  when?: (work: TaskWork) => boolean;
}

/** A step with declared needs and gives: a Step like any other, its lists kept as types for `plan`. */
export type TypedStep<K extends TaskKind, N extends Product, G extends Product> = Omit<Step<K>, 'needs' | 'gives'> & {
  readonly needs: readonly N[];
  readonly gives: readonly G[];
};

export function defineStep<K extends TaskKind = AppTaskKind, N extends Product = never, G extends Product = never>(
  spec: StepSpec<K, N, G>,
): TypedStep<K, N, G> {
  return {
    name: spec.name,
    title: spec.title,
    needs: spec.needs,
    gives: spec.gives,
    ...(spec.when ? { when: spec.when } : {}),
    async run(ctx) {
      const made = ctx.work.made;
      const lacking = spec.needs.filter((n) => made[n] === undefined);
      if (lacking.length) throw new StepFailure(`step ${spec.name} needs ${lacking.join(', ')}, which no earlier step of this run produced`);
      const done = (await spec.run({ ...ctx, input: made as Pick<Products, N> & Partial<Products> })) as string | { summary: string; made: Partial<Products> };
      if (typeof done === 'string') return done;
      Object.assign(made, done.made);
      return done.summary;
    },
  };
}

type NeedsOf<S> = S extends { readonly needs: readonly (infer N)[] } ? N : never;
type GivesOf<S> = S extends { readonly gives: readonly (infer G)[] } ? G : never;

/** never when each step's needs are given by a step before it; otherwise the first step that lacks some. */
export type UnmetNeeds<S extends readonly unknown[], Have = never> = S extends readonly [infer H, ...infer R]
  ? [Exclude<NeedsOf<H>, Have>] extends [never]
    ? UnmetNeeds<R, Have | GivesOf<H>>
    : { error: 'a step needs what no step before it gives'; step: H extends { name: infer Name } ? Name : unknown; lacks: Exclude<NeedsOf<H>, Have> }
  : never;

/** The steps in order, accepted only when every step's needs are given earlier in the same list. */
export function plan<const S extends readonly unknown[]>(steps: S & ([UnmetNeeds<S>] extends [never] ? unknown : UnmetNeeds<S>)): S[number][] {
  return [...steps];
}
