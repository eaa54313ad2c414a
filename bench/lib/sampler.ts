/** Samples a value (a child's RSS) on an interval while something runs. */
import { median } from './stats';

export function sampler(read: () => Promise<number>, everyMs = 200) {
  const values: number[] = [];
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    read().then(
      (v) => Number.isFinite(v) && values.push(v),
      () => undefined,
    );
  };
  return {
    start() {
      tick();
      timer = setInterval(tick, everyMs);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      return { median: median(values), max: values.length ? Math.max(...values) : NaN, samples: values.length };
    },
  };
}
