/**
 * Whether an HDA is online. With its channel open (a WebSocket the agent keeps) it is, without any
 * write while it idles; an agent that only polls is online while its last poll or heartbeat is recent.
 */
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { hdas } from '../../db/schema';
import type { Deps } from '../context';
import type { Database } from '../db';

/**
 * An agent on its channel still beats every 15 minutes (agent/heartbeat.ts, quietMaxS), which refreshes
 * last_seen when it is older than CHANNEL_SEEN_REFRESH_S. A channel flag nobody cleared (a Durable
 * Object restarted by a deploy hears no close) thus stops counting after CHANNEL_ONLINE_WINDOW_S.
 */
export const CHANNEL_SEEN_REFRESH_S = 20 * 60;
export const CHANNEL_ONLINE_WINDOW_S = 45 * 60;

export function isOnline(deps: Deps, h: { lastSeenAt: number | null; channelOpen: boolean; revokedAt?: number | null }): boolean {
  if (h.revokedAt || !h.lastSeenAt) return false;
  const window = h.channelOpen ? CHANNEL_ONLINE_WINDOW_S : deps.config.onlineWindowS;
  return deps.now() - h.lastSeenAt < window * 1000;
}

/**
 * The SQL form of "not seen since `before`" for upkeep's queries: an HDA on its channel counts as seen
 * until its own window (CHANNEL_ONLINE_WINDOW_S) ends, as isOnline says.
 */
export function notSeenSince(deps: Deps, before: number) {
  const channelBefore = Math.min(before, deps.now() - CHANNEL_ONLINE_WINDOW_S * 1000);
  return or(
    isNull(hdas.lastSeenAt),
    and(eq(hdas.channelOpen, false), lt(hdas.lastSeenAt, before)),
    and(eq(hdas.channelOpen, true), lt(hdas.lastSeenAt, channelBefore)),
  );
}

/** The agent opened its channel: online from now on; the fleet hears of an HDA that was offline. */
export async function channelOpened(deps: Deps, hdaId: string): Promise<void> {
  const [before] = await deps.db.select({ lastSeenAt: hdas.lastSeenAt, channelOpen: hdas.channelOpen }).from(hdas).where(eq(hdas.id, hdaId)).limit(1);
  if (!before) return;
  const now = deps.now();
  await deps.db.update(hdas).set({ channelOpen: true, lastSeenAt: now }).where(eq(hdas.id, hdaId));
  deps.idleHdas?.touch(hdaId, now);
  if (!isOnline(deps, before)) await deps.listeners.hdaOnline(deps, hdaId);
}

/** This process holds every channel (Node): none is open before it serves, whatever a crash left written. */
export async function noChannelsOpen(db: Database, now: number): Promise<void> {
  await db.update(hdas).set({ channelOpen: false, lastSeenAt: now }).where(eq(hdas.channelOpen, true));
}

/** The channel closed (the agent stopped, or its connection broke): last seen now, online while it polls. */
export async function channelClosed(db: Database, hdaId: string, now: number): Promise<void> {
  await db.update(hdas).set({ channelOpen: false, lastSeenAt: now }).where(eq(hdas.id, hdaId));
}
