/**
 * `npx tsx bench/edge.ts [tasks]`: dispatch on workerd, as two Cloudflare locations would see it. Two
 * `wrangler dev` processes share one local D1 (--persist-to): the owner queues a prune on A; a
 * simulated agent claims on B. With the channel it holds a WebSocket to its HDA's Durable Object
 * through A (locally each process has its own objects: the object is reached where the agent
 * connected) and claims on B when rung; without it, it long-polls B, which hears of A's write only
 * by re-checking D1 every POLL_RECHECK_MS. Prints p50/p99/max from the owner's POST returning to the
 * agent holding the task. Needs no network (wrangler dev runs workerd locally).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { generateSigningKey } from '../core/catalog/signing';
import { CHANNEL_PATH } from '../core/protocol/channel-frames';
import { AgentClient, completeTask } from './lib/agent-client';
import { enrolledHda, http, login } from './lib/api';
import { median, percentile, round, sleep } from './lib/stats';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password' };
const TASKS = Number(process.argv[2] ?? 30);

async function vars(): Promise<string[]> {
  const key = JSON.stringify((await generateSigningKey('ES256')).privateJwk);
  const v = { JWT_SECRET: 'edge-bench-secret-edge-bench-secret-0123', CATALOG_SIGNING_KEY: key, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };
  return Object.entries(v).flatMap(([k, val]) => ['--var', `${k}:${val}`]);
}

const quietEnv = { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_UPDATE_NOTIFIER: '1' };

async function wranglerDev(port: number, persist: string, extra: string[]): Promise<ChildProcess> {
  const child = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persist, ...extra], {
    cwd: ROOT,
    env: quietEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (out += b));
  process.on('exit', () => process.env.EDGE_BENCH_LOG && console.error(out.slice(-3000)));
  for (let i = 0; i < 600; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      () => true,
      () => false,
    );
    if (up) return child;
    if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${out.slice(-2000)}`);
    await sleep(250);
  }
  throw new Error(`wrangler dev on ${port} did not start: ${out.slice(-2000)}`);
}

const stop = (child: ChildProcess) => {
  if (child.pid) process.kill(-child.pid, 'SIGTERM');
};

interface Figures {
  tasks: number;
  p50: number;
  p99: number;
  max: number;
}

function figures(ms: number[]): Figures {
  return { tasks: ms.length, p50: round(median(ms), 0), p99: round(percentile(ms, 99), 0), max: round(Math.max(...ms), 0) };
}

/** Queues `TASKS` prunes on A one after another; `heldAt` resolves when the agent holds each. */
async function measure(a: string, adminToken: string, hdaId: string, held: Map<string, (at: number) => void>): Promise<Figures> {
  const api = http(a);
  const ms: number[] = [];
  for (let i = 0; i < TASKS; i++) {
    await sleep(200 + Math.random() * 300);
    const got = new Promise<number>((resolve) => held.set(`next`, resolve));
    const returned = await retry(async () => {
      const r = await api('POST', `/api/hdas/${hdaId}/prune`, { token: adminToken });
      if (r.status !== 202) throw new Error(`prune: ${r.status} ${JSON.stringify(r.body)}`);
      return performance.now();
    });
    ms.push(Math.max(0, (await got) - returned));
  }
  return figures(ms);
}

/** The agent of the channel: a WebSocket to A, claims on B when rung (and once on connect). */
async function channelAgent(a: string, b: string, token: string, held: Map<string, (at: number) => void>) {
  const client = new AgentClient(b, token);
  const ws = new WebSocket(`${a.replace('http', 'ws')}${CHANNEL_PATH}`, { headers: { authorization: `Bearer ${token}` } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
  let busy = Promise.resolve();
  ws.on('message', () => {
    busy = busy.then(async () => {
      for (const task of await retry(() => client.poll(0))) {
        held.get('next')?.(performance.now());
        await retry(() => completeTask(client, task, 4));
      }
    });
  });
  return { stop: () => ws.close() };
}

/** The agent without a channel: long-polls B. */
function longPollAgent(b: string, token: string, held: Map<string, (at: number) => void>) {
  const client = new AgentClient(b, token);
  const abort = new AbortController();
  const loop = (async () => {
    while (!abort.signal.aborted) {
      const tasks = await client.poll(25, abort.signal).catch(() => []);
      for (const task of tasks) {
        held.get('next')?.(performance.now());
        await retry(() => completeTask(client, task, 4));
      }
    }
  })();
  return { stop: async () => (abort.abort(), await loop) };
}

/** Two processes writing one local SQLite file: a write may meet the other's lock (500); try again. */
async function retry<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= 5) throw e;
      await sleep(500);
    }
  }
}

async function main() {
  const persist = mkdtempSync(join(tmpdir(), 'hda-edge-bench-'));
  const children: ChildProcess[] = [];
  try {
    const migrated = spawnSync('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { cwd: ROOT, env: quietEnv });
    if (migrated.status !== 0) throw new Error(`migrations: ${migrated.stderr}`);
    const v = await vars();
    const [pa, pb] = [18000 + Math.floor(Math.random() * 1000), 19000 + Math.floor(Math.random() * 1000)];
    children.push(await wranglerDev(pa, persist, [...v, '--inspector-port', String(pa + 2000)]));
    children.push(await wranglerDev(pb, persist, [...v, '--inspector-port', String(pb + 2000)]));
    const [a, b] = [`http://127.0.0.1:${pa}`, `http://127.0.0.1:${pb}`];
    const adminToken = await login(http(a), ADMIN.email, ADMIN.password);

    const held = new Map<string, (at: number) => void>();
    const rung = await enrolledHda(http(a), adminToken, 'edge-channel');
    const agent = await channelAgent(a, b, rung.agentToken, held);
    const channel = await measure(a, adminToken, rung.hdaId, held);
    agent.stop();
    console.log(`channel (ring through A's object, claim on B): ${JSON.stringify(channel)}`);

    let attempt = 0;
    const polled = await retry(() => enrolledHda(http(a), adminToken, `edge-longpoll-${++attempt}`));
    const poller = longPollAgent(b, polled.agentToken, held);
    const longPoll = await measure(a, adminToken, polled.hdaId, held);
    await poller.stop();
    console.log(`long poll on B (re-check every 2 s): ${JSON.stringify(longPoll)}`);
  } finally {
    for (const c of children) stop(c);
    await sleep(500);
    rmSync(persist, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
