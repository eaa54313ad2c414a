/**
 * Preview cost of hostile catalog input: each worst input found (test/helpers/hostile-inputs.ts) is
 * published through normalizeVersion, as the preview does, beside an ordinary script or compose of the
 * same size, in alternating rounds of one run; the figure is the ratio of medians (goal: at most 3x).
 */
import { normalizeVersion } from '../../core/catalog/normalize';
import { hostileInputs, ordinaryCompose, ordinaryScript, type InputKind, type SizedInput } from '../../test/helpers/hostile-inputs';
import type { Sizes } from '../lib/options';
import { median, round } from '../lib/stats';

export interface PreviewInputResult {
  name: string;
  kind: InputKind;
  bytes: number;
  ms: number;
  /** Median time over the median time of the ordinary input of the same kind and size. */
  ratio: number;
  status: string;
}

export interface PreviewResult {
  bytes: number;
  rounds: number;
  ordinaryMs: Record<InputKind, number>;
  inputs: PreviewInputResult[];
  worstRatio: number;
  goal: number;
}

const GOAL = 3;

function preview(input: SizedInput): { ms: number; status: string } {
  const started = performance.now();
  const r = normalizeVersion({
    app: 'bench',
    version: '1',
    kind: 'compose',
    ...(input.kind === 'script' ? { install_script: input.text } : { compose: input.text }),
  });
  return { ms: performance.now() - started, status: r.status };
}

export async function previewSuite(sizes: Sizes, log: (line: string) => void): Promise<PreviewResult> {
  const bytes = sizes.previewBytes;
  const ordinary: SizedInput[] = [
    { name: 'ordinary script', kind: 'script', text: ordinaryScript(bytes) },
    { name: 'ordinary compose', kind: 'compose', text: ordinaryCompose(bytes) },
  ];
  const all = [...ordinary, ...hostileInputs(bytes)];
  const times = new Map<string, number[]>(all.map((i) => [i.name, []]));
  const statuses = new Map<string, string>();
  for (const input of all) preview(input); // warm-up: compiled code, not first-call costs
  for (let round = 0; round < sizes.previewRounds; round++) {
    for (const input of round % 2 ? [...all].reverse() : all) {
      const { ms, status } = preview(input);
      times.get(input.name)!.push(ms);
      statuses.set(input.name, status);
    }
    log(`preview round ${round + 1}/${sizes.previewRounds}`);
    await new Promise((r) => setImmediate(r));
  }
  const med = (name: string) => median(times.get(name)!);
  const ordinaryMs = { script: med('ordinary script'), compose: med('ordinary compose') };
  const inputs = all.slice(2).map((i) => ({
    name: i.name,
    kind: i.kind,
    bytes: i.text.length,
    ms: round(med(i.name), 1),
    ratio: round(med(i.name) / ordinaryMs[i.kind], 2),
    status: statuses.get(i.name)!,
  }));
  return {
    bytes,
    rounds: sizes.previewRounds,
    ordinaryMs: { script: round(ordinaryMs.script, 1), compose: round(ordinaryMs.compose, 1) },
    inputs,
    worstRatio: Math.max(...inputs.map((i) => i.ratio)),
    goal: GOAL,
  };
}
