/**
 * The HDA channel's frames and constants, without zod (the agent imports them as values; the schema is
 * channel.ts). The HDA channel: a WebSocket the agent keeps open to the control plane, its doorbell. The control
 * plane rings it when it queues work for the HDA; the agent then claims over the protocol
 * (GET /agent/v1/tasks). Keep-alive pings are answered without waking anything (on Workers the
 * runtime answers them for a hibernating Durable Object).
 *
 *   GET /agent/v1/channel   Upgrade: websocket, Authorization: Bearer <agent token>
 *   agent -> server   "ping"                 answered "pong"
 *   server -> agent   {"type":"ring"}        there may be work: claim now
 *
 * Close codes: CHANNEL_REPLACED when a newer connection of the same HDA took over, CHANNEL_REVOKED when
 * its token stopped being valid (the agent then asks the protocol, which answers 401).
 */
export const CHANNEL_PATH = '/agent/v1/channel';
export const CHANNEL_PING = 'ping';
export const CHANNEL_PONG = 'pong';
export const CHANNEL_REPLACED = 4000;
export const CHANNEL_REVOKED = 4001;
import type { ChannelFrame } from './channel';

/** Longest frame either side accepts (frames are a few bytes). */
export const CHANNEL_MAX_FRAME = 1024;

export const CHANNEL_FRAME_TYPES = ['ring'] as const;
export const RING_FRAME = JSON.stringify({ type: 'ring' } satisfies ChannelFrame);

/** A frame from the server, or null for anything else (a newer server may send kinds this agent ignores). */
export function parseChannelFrame(text: string): ChannelFrame | null {
  try {
    const frame = JSON.parse(text) as { type?: unknown };
    return (CHANNEL_FRAME_TYPES as readonly unknown[]).includes(frame?.type) ? (frame as ChannelFrame) : null;
  } catch {
    return null;
  }
}
