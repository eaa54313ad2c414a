/**
 * `npx tsx bench/idle-cost.ts`: what one idle HDA costs the database, counted statement by statement
 * (the control plane's SQL is the same on D1 and libSQL; here every statement passes through
 * `onQuery`). With the channel an idle agent sends, over HTTP, only an unrung look every 10 minutes
 * and a heartbeat that says nothing new every 15 minutes (agent/poll.ts, agent/heartbeat.ts); its
 * keep-alive pings are answered by the runtime without waking the HDA's Durable Object. Without it
 * (today on Workers) it holds a 25 s long poll that re-checks D1 every 2 s, and beats every 30 s.
 * Prints the counts and the daily figures the cost table in bench/README.md is computed from.
 */
import WebSocket from 'ws';
import { CHANNEL_PATH } from '../core/protocol/channel-frames';
import { startControlPlane } from '../worker/node-server';
import { AgentClient } from './lib/agent-client';
import { enrolledHda, http, login } from './lib/api';

const ADMIN = { email: 'admin@bench.local', password: 'bench-admin-password' };
const DAY_S = 86_400;
const LOOK_EVERY_S = 600;
const QUIET_BEAT_EVERY_S = 900;
const LONG_POLL_S = 25;
const BEAT_EVERY_S = 30;

let statements = 0;
let writes = 0;
/** Moved forward to age last_seen past the channel's refresh (20 minutes) without waiting. */
let clockOffset = 0;
const plane = await startControlPlane({
  port: 0,
  adminEmail: ADMIN.email,
  adminPassword: ADMIN.password,
  quiet: true,
  onQuery: (sql) => {
    statements++;
    if (/^\s*(update|insert|delete)/i.test(sql)) writes++;
  },
  now: () => Date.now() + clockOffset,
  // As on Workers: no idle answer remembered in memory, a waiting poll re-checks the database every 2 s.
  config: { pollIdleCacheMs: 0, pollRecheckMs: 2000 },
});
const counted = async (fn: () => Promise<unknown>) => {
  const before = statements;
  await fn();
  return statements - before;
};
const countedWrites = async (fn: () => Promise<unknown>) => {
  const before = writes;
  await fn();
  return writes - before;
};
const api = http(plane.url);
const admin = await login(api, ADMIN.email, ADMIN.password);
const beat = { facts: { hostname: 'idle-host', cpus: 2 }, apps: [] };

// With the channel.
const rung = await enrolledHda(api, admin, 'idle-channel');
const agent = new AgentClient(plane.url, rung.agentToken);
await agent.heartbeat(beat); // the first beat stores the facts: later ones say nothing new
const ws = new WebSocket(`${plane.url.replace('http', 'ws')}${CHANNEL_PATH}`, { headers: { authorization: `Bearer ${rung.agentToken}` } });
await new Promise((resolve) => ws.once('open', resolve));
while (!plane.channels.isOpen(rung.hdaId)) await new Promise((r) => setTimeout(r, 10));
await new Promise((r) => setTimeout(r, 100)); // the open's presence write
const ping = await counted(() => new Promise((resolve) => (ws.once('message', resolve), ws.send('ping'))));
const look = await counted(() => agent.poll(0));
const quietBeat = await counted(() => agent.heartbeat(beat));
// Every other quiet beat (one per 30 minutes) finds last_seen older than 20 minutes and refreshes it.
clockOffset += 21 * 60_000;
let refreshWrites = 0;
const refreshBeat = await counted(async () => {
  refreshWrites = await countedWrites(() => agent.heartbeat(beat));
});
ws.close();

// Without it: one long poll (re-checks included) and two beats (one refreshes last_seen, once a minute).
const polled = await enrolledHda(api, admin, 'idle-longpoll');
const poller = new AgentClient(plane.url, polled.agentToken);
await poller.heartbeat(beat);
const longPoll = await counted(() => poller.poll(LONG_POLL_S));
const twoBeats = await counted(async () => {
  await poller.heartbeat(beat);
  await new Promise((r) => setTimeout(r, 61_000 - LONG_POLL_S * 1000));
  await poller.heartbeat(beat);
});
await plane.close();

const beatsPerDay = DAY_S / QUIET_BEAT_EVERY_S;
const channelPerDay = (DAY_S / LOOK_EVERY_S) * look + (beatsPerDay / 2) * (quietBeat + refreshBeat);
const pollPerDay = (DAY_S / LONG_POLL_S) * longPoll + (DAY_S / (2 * BEAT_EVERY_S)) * twoBeats;
const out = {
  statements: { ping, unrungLook: look, quietHeartbeat: quietBeat, refreshingHeartbeat: refreshBeat, longPoll25s: longPoll, twoHeartbeats: twoBeats },
  channel: {
    queriesPerDay: channelPerDay,
    queriesPerSecond: +(channelPerDay / DAY_S).toFixed(4),
    rowsWrittenPerDay: (beatsPerDay / 2) * refreshWrites,
    workerRequestsPerDay: DAY_S / LOOK_EVERY_S + DAY_S / QUIET_BEAT_EVERY_S,
    pingsPerDay: DAY_S / 30,
  },
  longPoll: {
    queriesPerDay: pollPerDay,
    queriesPerSecond: +(pollPerDay / DAY_S).toFixed(3),
    workerRequestsPerDay: DAY_S / LONG_POLL_S + DAY_S / BEAT_EVERY_S,
  },
};
console.log(JSON.stringify(out, null, 2));
process.exit(0);
