/**
 * The HDA channel on Workers: one Durable Object per HDA (SQLite-backed, named by the HDA id) holds
 * the agent's WebSocket through the hibernation API, so an idle HDA costs no wake-up: the runtime
 * answers its keep-alive pings. A ring (anything queued work for the HDA) wakes the object to send
 * one frame. The Worker authenticates the agent before it forwards the upgrade here; the object
 * records the socket's end (presence) itself, since only it hears it.
 */
import { DurableObject } from 'cloudflare:workers';
import { CHANNEL_PING, CHANNEL_PONG, CHANNEL_REPLACED, CHANNEL_REVOKED, RING_FRAME } from '../../core/protocol/channel-frames';
import { channelClosed } from '../services/presence';
import { openDatabase } from './database';

/** The header the Worker names the authenticated HDA in when it forwards the upgrade. */
export const CHANNEL_HDA_HEADER = 'x-hda-id';

type ChannelEnv = { DB?: D1Database; LIBSQL_URL?: string; LIBSQL_AUTH_TOKEN?: string };

export class HdaChannelObject extends DurableObject<ChannelEnv> {
  constructor(ctx: DurableObjectState, env: ChannelEnv) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(CHANNEL_PING, CHANNEL_PONG));
  }

  /** The agent's upgrade, forwarded by the Worker once its token checked out. */
  async fetch(request: Request): Promise<Response> {
    const hdaId = request.headers.get(CHANNEL_HDA_HEADER);
    if (!hdaId || request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return new Response('expected a WebSocket upgrade', { status: 426 });
    for (const old of this.ctx.getWebSockets()) old.close(CHANNEL_REPLACED, 'replaced by a newer connection');
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server, [hdaId]);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends a ring on the open socket; the number of sockets rung (0: the agent is not connected). */
  ring(): number {
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) ws.send(RING_FRAME);
    return sockets.length;
  }

  hangUp(): void {
    for (const ws of this.ctx.getWebSockets()) ws.close(CHANNEL_REVOKED, 'the agent token is no longer valid');
  }

  /** Only pings are expected, and the runtime answers those; anything else is ignored. */
  async webSocketMessage(): Promise<void> {}

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // 1005/1006 mean "no code": answering with them is not allowed.
    ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing');
    await this.ended(ws);
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    await this.ended(ws);
  }

  /** The HDA is offline once its last socket ends (a replaced one leaves a newer one open). */
  private async ended(ws: WebSocket): Promise<void> {
    const [hdaId] = this.ctx.getTags(ws);
    const others = this.ctx.getWebSockets().filter((s) => s !== ws && s.readyState === WebSocket.OPEN);
    if (hdaId && others.length === 0) await channelClosed(await openDatabase(this.env), hdaId, Date.now());
  }
}
