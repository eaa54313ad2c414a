/** `hda-agent enroll --server URL --code CODE`: trade a one-time code for an agent token and pinned keys. */
import os from 'node:os';
import { enroll } from '../client';
import type { AgentConfig } from '../config';
import { collectFacts } from '../facts';
import { hostParts } from '../agent';

export async function enrollCommand(config: AgentConfig, code: string, out: (s: string) => void): Promise<void> {
  if (!config.server) throw new Error('--server URL is required');
  let server: URL;
  try {
    server = new URL(config.server);
  } catch {
    throw new Error(`--server ${JSON.stringify(config.server)} is not a URL`);
  }
  const { state, docker, compose, apache } = hostParts(config);
  const facts = await collectFacts({ docker, compose, apache, appsRoot: config.appsRoot });
  const res = await enroll(server.toString(), { code, hostname: os.hostname(), facts });
  const e = state.saveEnrollment(server.toString(), res);
  out(`enrolled as HDA "${e.name}" (${e.hda_id}), domain ${e.domain}`);
  out(`state in ${state.dir} (token mode 600, ${res.keys?.keys?.length ?? 0} publisher key(s) pinned)`);
}
