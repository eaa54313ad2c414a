/** The Node runtime's schedule for upkeep: a pass at start, then every `everyMs`, never two at once. */
import type { Deps } from '../context';
import { runUpkeep, type UpkeepReport } from './upkeep';

/** Default interval of the Node timer (the cron trigger in wrangler.toml runs at the same pace). */
export const UPKEEP_EVERY_MS = 5 * 60_000;

export interface UpkeepTimer {
  stop(): void;
}

export function startUpkeepTimer(deps: Deps, everyMs = UPKEEP_EVERY_MS, onPass?: (report: UpkeepReport) => void): UpkeepTimer {
  let running = false;
  const pass = async () => {
    if (running) return;
    running = true;
    try {
      onPass?.(await runUpkeep(deps));
    } catch (err) {
      console.error('upkeep pass failed', err);
    } finally {
      running = false;
    }
  };
  void pass();
  const timer = setInterval(() => void pass(), everyMs);
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
