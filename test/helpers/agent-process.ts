/** `hda-agent` as a child process, the way an HDA runs it: its output kept for the test's failure messages. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Testbed } from './testbed';

export const AGENT_BIN = fileURLToPath(new URL('../../agent/bin/hda-agent.mjs', import.meta.url));

export interface AgentProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
  kill9(): Promise<void>;
}

/** `bin` defaults to the shipped CLI; the fault suite passes an entry of its own with fault hooks. */
export function startAgent(args: string[], env: NodeJS.ProcessEnv, bin = AGENT_BIN): AgentProcess {
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (b: Buffer) => {
    output.push(...b.toString().split('\n').filter(Boolean));
    if (output.length > 2000) output.splice(0, output.length - 2000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output,
    exited,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs a one-shot command of the CLI (enroll, status) and returns its exit code and output. */
export async function runAgentCommand(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const p = startAgent(args, env);
  const code = await p.exited;
  return { code, output: p.output.join('\n') };
}

/** The settings every agent child on the testbed shares: its own dirs, the testbed's Apache and Docker. */
export function testbedAgentEnv(tb: Testbed, dirs: { stateDir: string; appsRoot: string }): NodeJS.ProcessEnv {
  return {
    HDA_AGENT_STATE_DIR: dirs.stateDir,
    HDA_AGENT_APPS_ROOT: dirs.appsRoot,
    HDA_AGENT_APACHE_SITES_DIR: tb.apacheSitesDir,
    HDA_AGENT_APACHE_LOG_DIR: tb.apacheLogDir,
    HDA_AGENT_COMPOSE: tb.compose,
    HDA_AGENT_APACHE_CONFIGTEST: JSON.stringify(tb.configtest),
    HDA_AGENT_APACHE_RELOAD: JSON.stringify(tb.reload),
    HDA_AGENT_APACHE_URL: tb.apacheUrl,
    HDA_AGENT_HTTPS_PORT: String(tb.apacheHttpsPort ?? 0),
    HDA_AGENT_NAMES: 'off',
    HDA_AGENT_DOCKER_SOCKET: tb.dockerSocket,
  };
}
