/**
 * The agent's poll, the queue's read side: one indexed query finds the HDA's oldest open tasks, the
 * claims follow, and a poll that finds nothing waits for the HDA's doorbell until its deadline.
 */
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { ClaimedTask } from '../../core/protocol';
import { hdas, tasks } from '../../db/schema';
import { sha256Hex, timingSafeEqualText } from '../auth/encoding';
import type { Deps } from '../context';
import type { Database } from '../db';
import { hdaKey } from '../waker';
import { claimTask, isClaimable, releaseTask, touchLastSeen, type OpenTask } from './queue';

export interface PollCheck {
  /** False when the token is unknown, wrong or revoked. */
  authorized: boolean;
  lastSeenAt: number | null;
  /** The HDA's channel is open: its presence needs no last_seen write. */
  channelOpen: boolean;
  /** The HDA's oldest open `main` task: it runs alone, in order. */
  task: OpenTask | null;
  /** The oldest claimable `aux` task (logs): runs beside the main lane. */
  aux: OpenTask | null;
}

/**
 * The idle poll's only query: the HDA's token hash joined with its oldest open main-lane task and
 * its oldest claimable aux task, each an indexed lookup. Built once per database and run with
 * placeholders: building it with drizzle on every poll cost more than running it.
 */
function buildPollQuery(db: Database) {
  const hdaId = sql.placeholder('hdaId');
  const now = sql.placeholder('now');
  const oldestMain = db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.hdaId, hdaId), eq(tasks.lane, 'main'), inArray(tasks.state, ['queued', 'claimed'])))
    .orderBy(tasks.createdAt, tasks.id)
    .limit(1);
  const oldestAux = db
    .select({ id: tasks.id })
    .from(tasks)
    // The IN keeps the lookup on the (hda, lane, state) index; an OR of states read every past logs task.
    .where(
      and(eq(tasks.hdaId, hdaId), eq(tasks.lane, 'aux'), inArray(tasks.state, ['queued', 'claimed']), or(eq(tasks.state, 'queued'), lt(tasks.leaseUntil, now))),
    )
    .orderBy(tasks.createdAt, tasks.id)
    .limit(1);
  // A logs task in flight hands itself out again when its lease ends, which no write announces: an
  // idle answer must not be remembered past that moment.
  const auxLeaseEnds = db
    .select({ ends: sql<number | null>`min(${tasks.leaseUntil})` })
    .from(tasks)
    .where(and(eq(tasks.hdaId, hdaId), eq(tasks.lane, 'aux'), eq(tasks.state, 'claimed')));
  const aux = alias(tasks, 'aux');
  return db
    .select({
      tokenHash: hdas.tokenHash,
      lastSeenAt: hdas.lastSeenAt,
      channelOpen: hdas.channelOpen,
      taskId: tasks.id,
      taskState: tasks.state,
      leaseUntil: tasks.leaseUntil,
      attempts: tasks.attempts,
      auxId: aux.id,
      auxState: aux.state,
      auxLease: aux.leaseUntil,
      auxAttempts: aux.attempts,
      auxLeaseEnds: sql<number | null>`(${auxLeaseEnds})`,
    })
    .from(hdas)
    .leftJoin(tasks, sql`${tasks.id} = (${oldestMain})`)
    .leftJoin(aux, sql`${aux.id} = (${oldestAux})`)
    .where(eq(hdas.id, hdaId))
    .limit(1)
    .prepare();
}

const pollQueries = new WeakMap<Database, ReturnType<typeof buildPollQuery>>();

export async function pollCheck(deps: Deps, hdaId: string, token: string): Promise<PollCheck> {
  const now = deps.now();
  const idle = deps.idleHdas?.get(hdaId, now);
  if (idle && timingSafeEqualText(idle.token, token)) return { authorized: true, lastSeenAt: idle.lastSeenAt, channelOpen: false, task: null, aux: null };
  let query = pollQueries.get(deps.db);
  if (!query) {
    query = buildPollQuery(deps.db);
    pollQueries.set(deps.db, query);
  }
  const readAt = deps.idleHdas?.version ?? 0;
  const rows = await query.all({ hdaId, now });
  const row = rows[0];
  const authorized = !!row?.tokenHash && timingSafeEqualText(row.tokenHash, await sha256Hex(token));
  if (!row || !authorized) return { authorized: false, lastSeenAt: null, channelOpen: false, task: null, aux: null };
  if (!row.taskId && !row.auxId) deps.idleHdas?.set(hdaId, token, row.lastSeenAt, now, row.auxLeaseEnds, readAt);
  return {
    authorized: true,
    lastSeenAt: row.lastSeenAt,
    channelOpen: row.channelOpen,
    task: row.taskId ? { id: row.taskId, state: row.taskState!, leaseUntil: row.leaseUntil, attempts: row.attempts! } : null,
    aux: row.auxId ? { id: row.auxId, state: row.auxState!, leaseUntil: row.auxLease, attempts: row.auxAttempts! } : null,
  };
}

const NOTHING: ClaimedTask[] = [];

export interface PollRequest {
  hdaId: string;
  token: string;
  waitS: number;
  /** The request's abort signal, read only when the poll is about to wait or hand tasks out (reading it costs on Node). */
  signal: () => AbortSignal | undefined;
}

/**
 * The long poll: claims what the HDA may run now, else waits for its doorbell (or a lease's end)
 * until the deadline. Null when the token is not the HDA's; an empty list when nothing came.
 */
export async function pollForTasks(deps: Deps, req: PollRequest): Promise<ClaimedTask[] | null> {
  const deadline = deps.now() + req.waitS * 1000;
  let abort: AbortController | null = null;
  let touched = false;
  // A claim lost to another poll (or a task failed for too many attempts) means "look again at
  // once", but only a few times in a row, so a claim that keeps failing never spins past the deadline.
  let quickLooks = 0;
  for (;;) {
    const check = await pollCheck(deps, req.hdaId, req.token);
    if (!check.authorized) return null;
    if (!touched) {
      touched = true;
      // With the channel open the socket is the presence: a rung claim writes nothing for it.
      if (!check.channelOpen && (await touchLastSeen(deps, req.hdaId, check.lastSeenAt))) continue; // back from offline: look again
    }
    // The idle answer (nothing open) skips the claim step: it is the poll answered most often.
    const claimed = check.task || check.aux ? await claimOpen(deps, req.hdaId, check) : NOTHING;
    if (claimed.length > 0) {
      // Before this poll waited there is no listener: ask the request itself (claims are rare).
      if (!(abort ? abort.signal.aborted : req.signal()?.aborted)) return claimed;
      // The agent left between the wake-up and the claim: hand the tasks back rather than leave
      // them claimed by nobody until their lease runs out.
      for (const t of claimed) await releaseTask(deps, req.hdaId, t.id);
      return [];
    }
    const lookAgain = isClaimable(check.task, deps.now()) || isClaimable(check.aux, deps.now());
    if (lookAgain && quickLooks++ < 3) continue;
    const left = deadline - deps.now();
    // A live lease ends at a known time: wake up then even if nobody rings.
    const leaseLeft = lookAgain ? 50 : check.task?.leaseUntil ? check.task.leaseUntil - deps.now() + 5 : Infinity;
    if (left <= 0 || abort?.signal.aborted) return [];
    abort ??= listenForAbort(req.signal());
    await deps.waker.wait(hdaKey(req.hdaId), Math.min(left, leaseLeft), abort.signal);
    // The agent gave up this poll while it waited: a claim now would go to nobody for a whole lease.
    if (abort.signal.aborted) return [];
  }
}

async function claimOpen(deps: Deps, hdaId: string, check: PollCheck): Promise<ClaimedTask[]> {
  const claimed: ClaimedTask[] = [];
  for (const open of [check.task, check.aux]) {
    if (!open || !isClaimable(open, deps.now())) continue;
    const task = await claimTask(deps, hdaId, open.id, open.attempts);
    if (task) claimed.push(task);
  }
  return claimed;
}

/** A controller that aborts with the request, including a request that went away before we listened. */
function listenForAbort(request: AbortSignal | undefined): AbortController {
  const controller = new AbortController();
  if (request?.aborted) controller.abort();
  else request?.addEventListener('abort', () => controller.abort(), { once: true });
  return controller;
}
