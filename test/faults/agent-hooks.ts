/**
 * Fault hooks for `hda-agent run` in the fault suite, installed from outside the agent's code: the
 * step objects of the agent's plans and the protocol client's prototype are wrapped in this process
 * only (test/faults/hooked-agent.mjs loads this file, then the real CLI). Nothing changes in agent/.
 *
 * FAULT_HOLD=<kind>:<step>:<phase>  (e.g. install:up:after), FAULT_DIR=<dir>
 *   phase before  the step's Starting event is journaled; the step has not run yet
 *         after   the step's work is done; its Complete event is not journaled yet
 *         during  the step is running; the marker is written FAULT_DURING_MS (default 400) after it began,
 *                 and the step carries on (a kill lands while e.g. docker-compose is running)
 *   step  report  the task's result is journaled; the agent is about to post it
 *         claim   the poll has just handed the task out; the agent has not journaled it yet
 * The first match writes <FAULT_DIR>/held (JSON: kind, step, phase, task, pid), then, except for
 * `during`, waits until <FAULT_DIR>/release exists (the test either kills the agent or releases it).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_PLANS } from '../../agent/executor/plans';
import { HttpProtocolClient } from '../../agent/client';
import type { Step, StepContext } from '../../agent/executor/types';
import type { TaskKind } from '../../core/protocol';

const spec = process.env.FAULT_HOLD ?? '';
const dir = process.env.FAULT_DIR ?? '';
const [holdKind, holdStep, holdPhase] = spec.split(':');
const duringMs = Number(process.env.FAULT_DURING_MS ?? 400);
let fired = false;

function matches(kind: string, step: string, phase: string): boolean {
  return !fired && !!dir && (holdKind === '*' || holdKind === kind) && holdStep === step && (holdPhase ?? '') === phase;
}

function mark(kind: string, step: string, phase: string, task: string): void {
  fired = true;
  writeFileSync(join(dir, 'held'), JSON.stringify({ kind, step, phase, task, pid: process.pid }));
}

async function waitRelease(): Promise<void> {
  while (!existsSync(join(dir, 'release'))) await new Promise((r) => setTimeout(r, 25));
}

async function hold(kind: string, step: string, phase: string, task: string): Promise<void> {
  if (!matches(kind, step, phase)) return;
  mark(kind, step, phase, task);
  await waitRelease();
}

if (spec && dir) {
  // Every step of every kind, each wrapped once: the wrapper passes on whatever task the step gets.
  const wrapped = new Set<Step<TaskKind>>();
  for (const plan of Object.values(AGENT_PLANS) as Step<TaskKind>[][]) {
    for (const step of plan) {
      if (wrapped.has(step)) continue;
      wrapped.add(step);
      const run = step.run.bind(step);
      step.run = async (ctx: StepContext<TaskKind>) => {
        const kind = ctx.task.kind;
        await hold(kind, step.name, 'before', ctx.task.id);
        let timer: NodeJS.Timeout | null = null;
        if (matches(kind, step.name, 'during')) timer = setTimeout(() => mark(kind, step.name, 'during', ctx.task.id), duringMs);
        try {
          const out = await run(ctx);
          await hold(kind, step.name, 'after', ctx.task.id);
          return out;
        } finally {
          if (timer) clearTimeout(timer);
        }
      };
    }
  }
  const proto = HttpProtocolClient.prototype;
  const postResult = proto.postResult;
  proto.postResult = async function (this: HttpProtocolClient, taskId, result) {
    await hold(holdKind === '*' ? '*' : holdKind, 'report', '', taskId);
    return postResult.call(this, taskId, result);
  };
  const pollTasks = proto.pollTasks;
  proto.pollTasks = async function (this: HttpProtocolClient, waitS, signal) {
    const tasks = await pollTasks.call(this, waitS, signal);
    for (const t of tasks) await hold(t.kind, 'claim', '', t.id);
    return tasks;
  };
}
