/** The HDA channel's server-to-agent frames (`GET /agent/v1/channel`, a WebSocket; channel-frames.ts). */
import { z } from 'zod';
import { CHANNEL_FRAME_TYPES } from './channel-frames';

export const ChannelFrameSchema = z.strictObject({ type: z.enum(CHANNEL_FRAME_TYPES) });
export type ChannelFrame = z.infer<typeof ChannelFrameSchema>;
