/**
 * Many simulated agents in one process, each long-polling the control plane with its own token and
 * completing what it claims (events, then result). Started with { type: 'start', url, tokens,
 * events }; reports { type: 'progress', done } as tasks finish; on { type: 'stop' } it aborts the
 * polls and answers { type: 'final', claimed: [task ids], errors, statuses } before exiting.
 */
import { AgentClient, completeTask, ProtocolError } from '../lib/agent-client';

interface Start {
  type: 'start';
  url: string;
  tokens: string[];
  events: number;
}

// One controller per agent: a single signal shared by every fetch collects thousands of listeners.
const controllers: AbortController[] = [];
let stopping = false;
const claimed: string[] = [];
const statuses: Record<string, number> = {};
let errors = 0;
let done = 0;
let reported = 0;

function countError(err: unknown) {
  if (stopping) return;
  errors++;
  const key = err instanceof ProtocolError ? String(err.status) : (((err as Error).cause as { code?: string })?.code ?? (err as Error).name);
  statuses[key] = (statuses[key] ?? 0) + 1;
}

async function agent(client: AgentClient, events: number) {
  const abort = new AbortController();
  controllers.push(abort);
  while (!abort.signal.aborted) {
    try {
      const tasks = await client.poll(30, abort.signal);
      for (const task of tasks) {
        claimed.push(task.id);
        await completeTask(client, task, events);
        done++;
      }
    } catch (err) {
      countError(err);
      if (!abort.signal.aborted) await new Promise((r) => setTimeout(r, 500 + Math.random() * 500));
    }
  }
}

let running: Promise<unknown> = Promise.resolve();
const progress = setInterval(() => {
  if (done !== reported) process.send!({ type: 'progress', done: (reported = done), errors });
}, 100);

process.on('message', async (msg: Start | { type: 'stop' | 'close' }) => {
  if (msg.type === 'close') process.exit(0);
  if (msg.type === 'start') {
    running = Promise.all(msg.tokens.map((t) => agent(new AgentClient(msg.url, t), msg.events)));
    process.send!({ type: 'started' });
  } else if (msg.type === 'stop') {
    stopping = true;
    for (const c of controllers) c.abort();
    await running;
    clearInterval(progress);
    process.send!({ type: 'final', claimed, done, errors, statuses }, () => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'ready', url: '' });
