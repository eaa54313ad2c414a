/**
 * hda-agent: enroll this HDA with a control plane, run the agent, or show its status.
 * Every setting is a flag or an environment variable (see `hda-agent --help`).
 */
import { parseArgs } from 'node:util';
import { loadConfig, SETTINGS, settingsHelp } from './config';
import { runAgent } from './agent';
import { enrollCommand } from './commands/enroll';
import { statusCommand } from './commands/status';
import { systemdUnit } from './commands/unit';
import { createLogger } from './log';
import { AGENT_VERSION } from './version';

const USAGE: Record<string, string> = {
  main: `hda-agent ${AGENT_VERSION}: the HDA agent of the Amahi container-app control plane

Usage:
  hda-agent enroll --server URL --code CODE [--state-dir DIR]   enroll this machine, store its token
  hda-agent run [options]                                        poll for tasks and run them until stopped
  hda-agent status [--json] [options]                            what the agent knows (never the token)
  hda-agent unit [--exec PATH]                                   print the systemd unit that runs this agent
  hda-agent <command> --help                                     help for a command

Options (flag, environment variable, meaning):
${settingsHelp()}`,
  enroll: `Usage: hda-agent enroll --server URL --code CODE [--state-dir DIR]

Trades the one-time enrollment code shown by the control plane for this HDA's agent token. The token
is written to <state-dir>/token (mode 600) and the catalog publisher keys are pinned in keys.json.`,
  run: `Usage: hda-agent run [options]

Long-polls the control plane for tasks and runs them (install, update, rollback, uninstall, start,
stop, restart), sending heartbeats meanwhile. SIGTERM stops polling and lets the task in hand finish
(--shutdown-grace seconds), then hands it back. A second SIGTERM stops it between two steps at once.

Options:
${settingsHelp()}`,
  status: `Usage: hda-agent status [--json] [options]

Prints the enrollment (never the token), Docker and Compose, tasks in hand, events not yet
acknowledged and the state of every app this agent installed.`,
  unit: `Usage: hda-agent unit [--exec PATH]

Prints the systemd unit that runs the agent (ExecStart=PATH run; default: the hda-agent on the PATH
as /usr/local/bin/hda-agent). Install it with:
  hda-agent unit > /etc/systemd/system/hda-agent.service && systemctl daemon-reload && systemctl enable --now hda-agent`,
};

type Out = (s: string) => void;
type Flags = Record<string, string | boolean | undefined>;

function cliOptions() {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    help: { type: 'boolean' },
    code: { type: 'string' },
    json: { type: 'boolean' },
    version: { type: 'boolean' },
    exec: { type: 'string' },
  };
  for (const s of SETTINGS) options[s.flag] = { type: s.key === 'allowUnsigned' ? 'boolean' : 'string' };
  return options;
}

export async function main(argv: string[], out: Out = (s: string) => process.stdout.write(`${s}\n`)): Promise<number> {
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: cliOptions(), allowPositionals: true, strict: true });
  } catch (e) {
    out(`${(e as Error).message}\n\n${USAGE.main}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.version) {
    out(AGENT_VERSION);
    return 0;
  }
  if (!command || !(command in USAGE) || command === 'main') {
    out(USAGE.main);
    return values.help ? 0 : 2;
  }
  if (values.help) {
    out(USAGE[command]);
    return 0;
  }
  if (command === 'unit') return unitCommand(values, out);
  return configuredCommand(command, values, out);
}

function unitCommand(values: Flags, out: Out): number {
  try {
    out(systemdUnit(typeof values.exec === 'string' ? values.exec : '/usr/local/bin/hda-agent'));
    return 0;
  } catch (e) {
    out(`hda-agent unit: ${(e as Error).message}`);
    return 2;
  }
}

/** The commands that need the agent's settings: enroll, run and status. */
async function configuredCommand(command: string, values: Flags, out: Out): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(values);
  } catch (e) {
    out(`configuration error: ${(e as Error).message}`);
    return 2;
  }
  try {
    switch (command) {
      case 'enroll':
        if (!values.code || !config.server) {
          out(`enroll needs --server and --code\n\n${USAGE.enroll}`);
          return 2;
        }
        await enrollCommand(config, String(values.code), out);
        return 0;
      case 'run':
        await runAgent(config, createLogger(config.logLevel));
        return 0;
      case 'status':
        return await statusCommand(config, values.json === true, out);
    }
  } catch (e) {
    out(`hda-agent ${command}: ${(e as Error).message}`);
    return 1;
  }
  return 2;
}
