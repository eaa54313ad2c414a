/** The agent for a new HDA: the install script and the bundle it fetches, both public. */
import { createRoute, z } from '@hono/zod-openapi';
import { ApiError } from '../errors';
import { createRouter, errorResponses, jsonContent, ErrorSchema, asAnyone } from '../openapi';

import { AGENT_BUNDLE_PATH, INSTALL_SCRIPT_PATH, installScript, publicBaseUrl, type AgentBundleSource } from '../services/agent-installer';

export const agentInstallerRoutes = createRouter();

async function loadBundle(source: AgentBundleSource | undefined) {
  const bundle = source ? await source.load() : { unavailable: 'this deployment does not serve the agent' };
  if ('unavailable' in bundle) throw new ApiError(503, 'agent_unavailable', bundle.unavailable);
  return bundle;
}

const unavailable = { 503: jsonContent(ErrorSchema, 'The agent bundle is not available here (the message says why)') };

agentInstallerRoutes.openapi(
  createRoute({
    method: 'get',
    path: INSTALL_SCRIPT_PATH,
    tags: ['agent'],
    operationId: 'getAgentInstallScript',
    security: asAnyone,
    summary: 'The shell script that installs and enrolls the agent on a new HDA',
    responses: {
      200: { description: 'A POSIX shell script', content: { 'text/x-shellscript': { schema: z.string() } } },
      ...unavailable,
      400: errorResponses[400],
    },
  }),
  async (c) => {
    const deps = c.get('deps');
    const { sha256 } = await loadBundle(deps.agentBundle);
    const base = publicBaseUrl(deps.config.publicUrl, c.req.url);
    let script: string;
    try {
      script = installScript(base, sha256);
    } catch (e) {
      throw new ApiError(503, 'agent_unavailable', (e as Error).message);
    }
    return c.body(script, 200, { 'content-type': 'text/x-shellscript; charset=utf-8', 'cache-control': 'no-store' });
  },
);

agentInstallerRoutes.openapi(
  createRoute({
    method: 'get',
    path: AGENT_BUNDLE_PATH,
    tags: ['agent'],
    operationId: 'getAgentBundle',
    security: asAnyone,
    summary: 'The agent, one JavaScript file for Node.js 20+ (its SHA-256 in the x-content-sha256 header)',
    responses: { 200: { description: 'The agent bundle', content: { 'text/javascript': { schema: z.string() } } }, ...unavailable },
  }),
  async (c) => {
    const { body, sha256 } = await loadBundle(c.get('deps').agentBundle);
    return c.body(body, 200, { 'content-type': 'text/javascript; charset=utf-8', 'x-content-sha256': sha256, 'cache-control': 'no-cache' });
  },
);
