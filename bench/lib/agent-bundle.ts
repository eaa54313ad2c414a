/**
 * The agent as it ships: `npm run build:agent` (scripts/build-agent.mjs) bundles the CLI into
 * dist/hda-agent.mjs, which agent/bin/hda-agent.mjs runs on plain node when it matches the tree
 * (agent/bin/bundle.mjs), else the bin loads the TypeScript through tsx. The benchmark builds first,
 * so "as shipped" measures the bundle built from the code in this tree.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { bundleState, ROOT } from '../../agent/bin/bundle.mjs';

export interface AgentBuild {
  /** What the bin runs now: the bundle, or the sources through tsx (the build failed or the tree changed since). */
  runs: 'bundle' | 'tsx';
  /** Why the bin would fall back to tsx; the build's error when it failed. */
  why?: string;
}

export async function buildAgent(): Promise<AgentBuild> {
  try {
    await promisify(execFile)(process.execPath, ['scripts/build-agent.mjs'], { cwd: ROOT });
  } catch (e) {
    return { runs: 'tsx', why: `build failed: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}` };
  }
  const state = bundleState();
  return state.fresh ? { runs: 'bundle' } : { runs: 'tsx', why: state.why };
}
