/**
 * The HDA channels of one process (Node): at most one socket per HDA, a newer one replacing the
 * older. It is the in-process doorbell: a ring is a frame sent on the HDA's socket.
 */
import { CHANNEL_REPLACED, CHANNEL_REVOKED, RING_FRAME } from '../../core/protocol/channel-frames';
import type { Doorbell } from '../context';

/** What the hub needs of a socket (the `ws` package's WebSocket has it). */
export interface ChannelSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

export class ChannelHub implements Doorbell {
  private readonly sockets = new Map<string, ChannelSocket>();

  /** Adds the HDA's socket, closing the one it replaces. */
  attach(hdaId: string, socket: ChannelSocket): void {
    const previous = this.sockets.get(hdaId);
    this.sockets.set(hdaId, socket);
    previous?.close(CHANNEL_REPLACED, 'replaced by a newer connection');
  }

  /** Removes the socket; true when it was the HDA's current one (the HDA's channel is now closed). */
  detach(hdaId: string, socket: ChannelSocket): boolean {
    if (this.sockets.get(hdaId) !== socket) return false;
    this.sockets.delete(hdaId);
    return true;
  }

  isOpen(hdaId: string): boolean {
    return this.sockets.has(hdaId);
  }

  get size(): number {
    return this.sockets.size;
  }

  async ring(hdaId: string): Promise<void> {
    this.sockets.get(hdaId)?.send(RING_FRAME);
  }

  async hangUp(hdaId: string): Promise<void> {
    this.sockets.get(hdaId)?.close(CHANNEL_REVOKED, 'the agent token is no longer valid');
  }

  closeAll(code: number, reason: string): void {
    for (const socket of this.sockets.values()) socket.close(code, reason);
    this.sockets.clear();
  }
}
