import { describe, expect, it } from 'vitest';
import { ChannelFrameSchema, parseChannelFrame, RING_FRAME } from '../../core/protocol';

describe('HDA channel frames', () => {
  it('the ring the server sends is a frame of the schema, and the agent reads it', () => {
    expect(ChannelFrameSchema.parse(JSON.parse(RING_FRAME))).toEqual({ type: 'ring' });
    expect(parseChannelFrame(RING_FRAME)).toEqual({ type: 'ring' });
  });

  it('the agent ignores what the schema refuses (unknown kinds, not JSON)', () => {
    for (const text of ['{"type":"reboot"}', 'pong', '[]', 'null', '{}']) {
      expect(
        ChannelFrameSchema.safeParse(
          (() => {
            try {
              return JSON.parse(text);
            } catch {
              return text;
            }
          })(),
        ).success,
        text,
      ).toBe(false);
      expect(parseChannelFrame(text), text).toBeNull();
    }
  });
});
