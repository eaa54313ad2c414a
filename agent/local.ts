/**
 * The local agent behind `npm start`: can this machine host one (Docker answers, Compose is there,
 * Apache's config test runs, the sites dir exists), and `hda-agent` run as a child process, enrolled
 * first against the control plane that was just started. Settings come from the same HDA_AGENT_*
 * variables as the standalone agent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, type AgentConfig } from './config';
import { ApacheControl } from './apache/apache';
import { DockerProvider } from './docker/client';
import { ComposeRunner } from './docker/compose';
import { StateDir } from './state';

const BIN = fileURLToPath(new URL('./bin/hda-agent.mjs', import.meta.url));

export interface LocalHostCheck {
  ok: boolean;
  /** What is missing, one short phrase each ("Docker daemon not reachable at ...", ...). */
  missing: string[];
  config: AgentConfig;
}

export async function checkLocalAgentHost(env: NodeJS.ProcessEnv = process.env): Promise<LocalHostCheck> {
  const config = loadConfig({}, env);
  const missing: string[] = [];
  await new DockerProvider(config.dockerSocket).get().catch((e: Error) => missing.push(e.message));
  await new ComposeRunner(config.dockerSocket, config.composeFlavor).detect().catch((e: Error) => missing.push(e.message));
  if (!existsSync(config.apacheSitesDir)) missing.push(`Apache sites dir ${config.apacheSitesDir} does not exist`);
  const apache = new ApacheControl({
    sitesDir: config.apacheSitesDir,
    configtest: config.apacheConfigtest,
    reload: config.apacheReload,
    backupDir: '/nonexistent',
  });
  await apache
    .configtest()
    .then((t) => (t.ok ? null : missing.push(`Apache config test fails: ${t.output.split('\n')[0]}`)))
    .catch((e: Error) => missing.push(e.message));
  return { ok: missing.length === 0, missing, config };
}

export interface LocalAgent {
  child: ChildProcess;
  stop(graceMs?: number): Promise<void>;
}

function spawnAgent(args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const forward = (b: Buffer) => {
    for (const l of b.toString().split('\n').filter(Boolean)) log(`[agent] ${l}`);
  };
  child.stdout!.on('data', forward);
  child.stderr!.on('data', forward);
  return child;
}

/**
 * Enrolls with `enrollmentCode` unless the state dir already holds an enrollment with this server,
 * then starts `hda-agent run`. Throws when enrollment fails.
 */
export async function startLocalAgent(opts: {
  server: string;
  stateDir: string;
  enrollmentCode?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}): Promise<LocalAgent> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const env: NodeJS.ProcessEnv = { ...opts.env, HDA_AGENT_STATE_DIR: opts.stateDir };
  const state = new StateDir(opts.stateDir);
  const enrolledHere = state.isEnrolled() && state.enrollment().server === new URL(opts.server).toString();
  if (!enrolledHere) {
    if (!opts.enrollmentCode) throw new Error(`the local agent in ${opts.stateDir} is not enrolled with ${opts.server} and no enrollment code was given`);
    const enroll = spawnAgent(['enroll', '--server', opts.server, '--code', opts.enrollmentCode], env, log);
    const code = await new Promise<number | null>((r) => enroll.on('exit', r));
    if (code !== 0) throw new Error(`local agent enrollment failed (exit ${code})`);
  }
  const child = spawnAgent(['run', '--server', opts.server], env, log);
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return {
    child,
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}
