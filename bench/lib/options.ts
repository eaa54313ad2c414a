/** Command-line options of `npm run bench` and the sizes of a full and a quick run. */

export const SUITES = ['bundle', 'poll', 'dispatch', 'heartbeat', 'scale', 'agent', 'install', 'preview', 'snapshot'] as const;
export type Suite = (typeof SUITES)[number];
/** The order they run in; suites of one group run side by side. */
export const PLAN: Suite[][] = [['bundle'], ['poll'], ['dispatch'], ['scale'], ['heartbeat', 'agent'], ['install'], ['preview'], ['snapshot']];

export interface Sizes {
  /** Dataset behind the idle-poll benchmark. */
  hdas: number;
  tasksPerHda: number;
  eventsPerTask: number;
  /** Load generator: fixed concurrency, seconds per measured run, alternating rounds. */
  connections: number;
  seconds: number;
  rounds: number;
  /** Dispatch latency: tasks over long-poll, tasks over the fixed 5 s interval. */
  dispatchTasks: number;
  intervalTasks: number;
  /** Scale: simulated agents, tasks queued across them, agent processes. */
  agents: number;
  scaleTasks: number;
  fleetProcesses: number;
  /** Idle day: HDAs beating, beats (30 s apart). */
  dayHdas: number;
  dayBeats: number;
  /** Agent footprint sampling window, seconds. */
  agentSeconds: number;
  /** Install overhead: alternating rounds of `docker-compose up -d` by hand and the agent's install. */
  installRounds: number;
  /** Preview of hostile input: size of each input (the YAML limit) and alternating rounds. */
  previewBytes: number;
  previewRounds: number;
  /** Size of the app folder the snapshot suite writes, and its rounds of full snapshot/restore against tar. */
  snapshotBytes: number;
  snapshotRounds: number;
  /** What-if PRAGMAs for every control plane (empty: the plane as shipped). */
  pragmas?: string[];
  /** A/B what-if: poll and scale also measure a plane with these PRAGMAs, in the same run. */
  abPragmas?: string[];
}

const FULL: Sizes = {
  hdas: 10_000,
  tasksPerHda: 10,
  eventsPerTask: 10,
  connections: 10,
  seconds: 5,
  rounds: 5,
  dispatchTasks: 100,
  intervalTasks: 10,
  agents: 1000,
  scaleTasks: 10_000,
  fleetProcesses: 1,
  dayHdas: 8,
  dayBeats: 2880,
  agentSeconds: 60,
  installRounds: 7,
  previewBytes: 256 * 1024,
  previewRounds: 5,
  snapshotBytes: 1024 * 1024 * 1024,
  snapshotRounds: 2,
};

const QUICK: Sizes = {
  ...FULL,
  seconds: 3,
  rounds: 3,
  dispatchTasks: 30,
  intervalTasks: 4,
  agents: 200,
  scaleTasks: 2000,
  dayHdas: 5,
  dayBeats: 2880,
  agentSeconds: 20,
  installRounds: 3,
  previewBytes: 64 * 1024,
  previewRounds: 3,
  snapshotBytes: 128 * 1024 * 1024,
  snapshotRounds: 1,
};

export interface Options {
  quick: boolean;
  only: Set<Suite>;
  sizes: Sizes;
  /** What-if runs: PRAGMAs applied to every control plane's connection (e.g. synchronous=NORMAL). */
  pragmas: string[];
  /** A/B what-if: PRAGMAs of a second plane that poll and scale measure beside the first. */
  abPragmas: string[];
}

export function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((a) => a.startsWith('--only='));
  const only = new Set<Suite>(SUITES);
  if (onlyArg) {
    only.clear();
    for (const name of onlyArg.slice('--only='.length).split(',')) {
      if (!(SUITES as readonly string[]).includes(name)) throw new Error(`unknown suite '${name}' (one of ${SUITES.join(', ')})`);
      only.add(name as Suite);
    }
  }
  const values = (flag: string) => argv.filter((a) => a.startsWith(`${flag}=`)).map((a) => a.slice(flag.length + 1));
  const pragmas = values('--pragma');
  const abPragmas = values('--ab-pragma');
  for (const p of [...pragmas, ...abPragmas]) if (!/^[a-z_]+\s*=\s*[A-Za-z0-9_]+$/.test(p)) throw new Error(`pragma ${p}: expected name=value`);
  return { quick, only, sizes: { ...(quick ? QUICK : FULL), pragmas, abPragmas }, pragmas, abPragmas };
}
