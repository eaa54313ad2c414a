/**
 * Node only: the agent bundle this checkout built (dist/hda-agent.mjs, by `npm ci` or
 * `npm run build:agent`), served to new HDAs only while it matches the sources, so an HDA never
 * gets an agent older than the control plane that enrolls it.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { AGENT_BUNDLE, bundleState } from '../agent/bin/bundle.mjs';
import type { AgentBundleSource } from './services/agent-installer';

export function nodeAgentBundle(path: string = AGENT_BUNDLE, isFresh: () => { fresh: boolean; why?: string } = bundleState): AgentBundleSource {
  let cached: { mtimeMs: number; body: Uint8Array<ArrayBuffer>; sha256: string } | null = null;
  return {
    async load() {
      const state = isFresh();
      if (!state.fresh) return { unavailable: `the agent bundle is not ready (${state.why}): run npm run build:agent on the control plane` };
      const { mtimeMs } = await stat(path);
      if (cached?.mtimeMs !== mtimeMs) {
        const body = new Uint8Array(await readFile(path));
        cached = { mtimeMs, body, sha256: createHash('sha256').update(body).digest('hex') };
      }
      return { body: cached.body, sha256: cached.sha256 };
    },
  };
}
