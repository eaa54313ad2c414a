/**
 * One task through the agent's real executor in a process of its own, with the fault hooks
 * (agent-hooks.ts), so a test can kill -9 it in a step and run the task again on the same state dir,
 * the way a restarted agent runs the task its journal holds. Used where a test has no control plane
 * to hand the task out (a replacement HDA's install with its data from the off-HDA backup).
 *   node --import tsx test/faults/executor-main.ts, with RUN_TASK (the task, a JSON file), RUN_KEYS
 *   (the signing keys it trusts, JSON), RUN_OUT (its events and result are written there as JSON)
 *   and the agent's HDA_AGENT_* settings.
 */
import { readFileSync } from 'node:fs';
import './agent-hooks';
import type { ClaimedTask } from '../../core/protocol';
import { loadConfig } from '../../agent/config';
import { Executor } from '../../agent/executor/index';
import { AGENT_PLANS } from '../../agent/executor/plans';
import { writeJsonAtomic } from '../../agent/fs-atomic';
import { localExecutorParts } from '../helpers/agent-harness';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const task = JSON.parse(readFileSync(env('RUN_TASK'), 'utf8')) as ClaimedTask;
const keys = JSON.parse(readFileSync(env('RUN_KEYS'), 'utf8')) as { keys: Record<string, unknown>[] };
const config = loadConfig({}, process.env);
const { client, journal, sender, deps } = localExecutorParts(config, keys);
const outcome = await new Executor(deps, journal, sender, AGENT_PLANS).execute(task, new AbortController().signal);
sender.stop();
writeJsonAtomic(env('RUN_OUT'), { outcome, result: client.results.get(task.id), events: client.events.get(task.id) ?? [] }, 0o600);
process.exit(0);
