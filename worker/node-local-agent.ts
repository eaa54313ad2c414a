/**
 * `npm start` gives a working single-HDA setup: when this machine has a Docker daemon, Compose and
 * Apache, it registers "this machine" as an HDA of the first admin, enrolls a local agent against the
 * control plane it just started and runs it as a child process. Without them it says what is missing
 * and the control plane runs alone. LOCAL_AGENT=false turns it off.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { checkLocalAgentHost, startLocalAgent, type LocalAgent } from '../agent/local';
import { StateDir } from '../agent/state';
import { users } from '../db/schema';
import type { ControlPlane } from './node-server';
import { createHda } from './services/hdas';
import { jobActor } from './context';

export type { LocalAgent };

export async function startLocalAgentIfPossible(plane: ControlPlane, opts: { dataDir: string; env?: NodeJS.ProcessEnv }): Promise<LocalAgent | null> {
  const env = opts.env ?? process.env;
  if (env.LOCAL_AGENT === 'false') return null;
  const check = await checkLocalAgentHost(env);
  if (!check.ok) {
    console.log(
      `Local agent: not started. This machine cannot host apps yet:\n${check.missing.map((m) => `  - ${m}`).join('\n')}\nThe control plane runs alone; enroll an agent from an HDA (see README).`,
    );
    return null;
  }
  const stateDir = env.HDA_AGENT_STATE_DIR ?? join(opts.dataDir, 'agent');
  const state = new StateDir(stateDir);
  const enrolledHere = state.isEnrolled() && state.enrollment().server === new URL(plane.url).toString();
  const enrollmentCode = enrolledHere ? undefined : await localEnrollmentCode(plane, env);
  try {
    const agent = await startLocalAgent({ server: plane.url, stateDir, enrollmentCode, env: { HDA_AGENT_STATE_DIR: stateDir } });
    console.log(`Local agent: running for this machine (state in ${stateDir}).`);
    return agent;
  } catch (err) {
    console.log(`Local agent: not started: ${(err as Error).message}`);
    return null;
  }
}

/** Registers this machine as an HDA of the first admin and returns its one-time code. */
async function localEnrollmentCode(plane: ControlPlane, env: NodeJS.ProcessEnv): Promise<string> {
  const { deps } = plane;
  const [admin] = await deps.db.select().from(users).where(eq(users.role, 'admin')).limit(1);
  const domain = env.LOCAL_HDA_DOMAIN ?? 'hda.local';
  const { code } = await createHda(deps, jobActor('local-agent-enrollment', admin), { name: hostname().slice(0, 100) || 'this machine', domain });
  return code;
}
