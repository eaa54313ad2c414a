/**
 * Steps that say what they read and what they produce. A step made with `defineStep` names the
 * products it needs (given by an earlier step of the same run) and the ones it gives; its `run` sees
 * the needed ones as present (and the ones it `uses`, read when an earlier step gave them, as maybe
 * absent) and must return the given ones; it sees no other product. `plan` checks when compiling that
 * every step's needs are given by a step before it (or are the run's start products); the executor
 * checks the same at run time for plans built while running (the way back after a failed update), and
 * that a step gave all it declared.
 */
import type { AppTaskKind, StepName, TaskKind } from '../../core/protocol';
import { StepFailure, type Product, type Products, type StartProduct, type Step, type StepContext, type TaskWork } from './types';

/** What every step sees of the task: its inputs, without the products (those come as `input`). */
export type StepBase<K extends TaskKind = AppTaskKind> = Omit<StepContext<K>, 'work'> & { work: Omit<TaskWork, 'made'> };

/** What a step with needs N and optional reads U runs with: those products, and no other. */
export type StepInput<K extends TaskKind, N extends Product, U extends Product = never> = StepBase<K> & {
  input: Pick<Products, N | StartProduct> & Partial<Pick<Products, U>>;
};

/** What a step returns: the Complete event's words, and the products it gives. */
export type StepDone<G extends Product> = [G] extends [never] ? string : { summary: string; made: Pick<Products, G> };

export interface StepSpec<K extends TaskKind, N extends Product, G extends Product, U extends Product> {
  name: StepName;
  title: string;
  needs: readonly N[];
  gives: readonly G[];
  /** Products read when an earlier step gave them (none is required). */
  uses?: readonly U[];
  run: (ctx: StepInput<K, N, U>) => Promise<StepDone<G>>;
  when?: (work: TaskWork) => boolean;
}

/** A step with declared needs and gives: a Step like any other, its lists kept as types for `plan`. */
export type TypedStep<K extends TaskKind, N extends Product, G extends Product> = Omit<Step<K>, 'needs' | 'gives'> & {
  readonly needs: readonly N[];
  readonly gives: readonly G[];
};

/** Only the products a step declared, so it cannot read one it did not name. */
function inputFor(made: Partial<Products>, names: readonly Product[]): Partial<Products> {
  const input: Record<string, unknown> = { target: made.target };
  for (const n of names) if (made[n] !== undefined) input[n] = made[n];
  return input as Partial<Products>;
}

export function defineStep<K extends TaskKind = AppTaskKind, N extends Product = never, G extends Product = never, U extends Product = never>(
  spec: StepSpec<K, N, G, U>,
): TypedStep<K, N, G> {
  return {
    name: spec.name,
    title: spec.title,
    needs: spec.needs,
    gives: spec.gives,
    ...(spec.when ? { when: spec.when } : {}),
    async run(ctx) {
      const made = ctx.work.made as Partial<Products>;
      const lacking = spec.needs.filter((n) => made[n] === undefined);
      if (lacking.length) throw new StepFailure(`step ${spec.name} needs ${lacking.join(', ')}, which no earlier step of this run produced`);
      const input = inputFor(made, [...spec.needs, ...(spec.uses ?? [])]) as StepInput<K, N, U>['input'];
      const done = (await spec.run({ ...ctx, input })) as string | { summary: string; made: Partial<Products> };
      if (typeof done === 'string') return done;
      const missing = spec.gives.filter((g) => done.made[g] === undefined);
      if (missing.length) throw new Error(`step ${spec.name} did not give ${missing.join(', ')}`);
      Object.assign(made, done.made);
      return done.summary;
    },
  };
}

type NeedsOf<S> = S extends { readonly needs: readonly (infer N)[] } ? N : never;
type GivesOf<S> = S extends { readonly gives: readonly (infer G)[] } ? G : never;

/** never when each step's needs are given by a step before it; otherwise the first step that lacks some. */
export type UnmetNeeds<S extends readonly unknown[], Have = StartProduct> = S extends readonly [infer H, ...infer R]
  ? [Exclude<NeedsOf<H>, Have>] extends [never]
    ? UnmetNeeds<R, Have | GivesOf<H>>
    : { error: 'a step needs what no step before it gives'; step: H extends { name: infer Name } ? Name : unknown; lacks: Exclude<NeedsOf<H>, Have> }
  : never;

/** The steps in order, accepted only when every step's needs are given earlier in the same list. */
export function plan<const S extends readonly unknown[]>(steps: S & ([UnmetNeeds<S>] extends [never] ? unknown : UnmetNeeds<S>)): S[number][] {
  return [...steps];
}
