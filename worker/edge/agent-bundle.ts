/**
 * Workers: the agent bundle is a static asset of the deployment (dist/worker-assets, written by
 * `npm run build:agent`; wrangler uploads it with the Worker), served at its path before the Worker
 * runs. The install script needs its SHA-256, computed once per isolate from the same asset.
 */
import { AGENT_BUNDLE_PATH, type AgentBundleSource } from '../services/agent-installer';

export function assetsAgentBundle(assets: Fetcher | undefined): AgentBundleSource {
  let loaded: Promise<{ body: Uint8Array<ArrayBuffer>; sha256: string } | { unavailable: string }> | null = null;
  return {
    load() {
      if (!assets)
        return Promise.resolve({
          unavailable: 'this deployment has no ASSETS binding: add the [assets] block of wrangler.toml and run npm run build:agent before deploying',
        });
      loaded ??= fetchBundle(assets).catch((e: Error) => {
        loaded = null;
        return { unavailable: e.message };
      });
      return loaded;
    },
  };
}

async function fetchBundle(assets: Fetcher) {
  const res = await assets.fetch(new Request(`https://assets.invalid${AGENT_BUNDLE_PATH}`));
  if (!res.ok) throw new Error(`the agent bundle is not among this deployment's assets (${res.status}): run npm run build:agent, then deploy again`);
  const body = new Uint8Array(await res.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  return { body, sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') };
}
