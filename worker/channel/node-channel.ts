/**
 * The HDA channel on Node: the server's `upgrade` requests for CHANNEL_PATH, authenticated with the
 * agent token before the handshake, served by the `ws` package. Presence follows the socket; a
 * socket the agent stopped pinging (a broken connection nobody closed) is ended after SILENT_MS.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CHANNEL_MAX_FRAME, CHANNEL_PATH, CHANNEL_PING, CHANNEL_PONG } from '../../core/protocol/channel-frames';
import type { Deps } from '../context';
import { ApiError } from '../errors';
import { authenticateAgent } from '../services/hdas';
import { channelClosed, channelOpened } from '../services/presence';
import type { ChannelHub } from './hub';

/** An agent pings every 30 s: three missed pings end its socket. */
const SILENT_MS = 100_000;

function refuse(socket: Duplex, status: number, text: string, message: string): void {
  const body = JSON.stringify({ error: text.toLowerCase().replaceAll(' ', '_'), message });
  socket.end(`HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

export function serveChannel(server: Server, deps: Deps, hub: ChannelHub): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: CHANNEL_MAX_FRAME });
  const heard = new WeakMap<WebSocket, number>();

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (new URL(req.url ?? '/', 'http://x').pathname !== CHANNEL_PATH) return refuse(socket, 404, 'Not Found', 'no WebSocket here');
    let hdaId: string;
    try {
      hdaId = (await authenticateAgent(deps, req.headers.authorization)).hdaId;
    } catch (err) {
      if (err instanceof ApiError) return refuse(socket, err.status, 'Unauthorized', err.message);
      return refuse(socket, 500, 'Internal Server Error', 'could not check the agent token');
    }
    wss.handleUpgrade(req, socket, head, (ws) => void attach(hdaId, ws));
  };

  const attach = async (hdaId: string, ws: WebSocket) => {
    heard.set(ws, Date.now());
    hub.attach(hdaId, ws);
    ws.on('message', (data, isBinary) => {
      heard.set(ws, Date.now());
      if (!isBinary && data.toString() === CHANNEL_PING) ws.send(CHANNEL_PONG);
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      if (hub.detach(hdaId, ws)) void channelClosed(deps.db, hdaId, deps.now()).catch((e: Error) => console.warn(`channel presence: ${e.message}`));
    });
    await channelOpened(deps, hdaId).catch((e: Error) => console.warn(`channel presence: ${e.message}`));
  };

  const sweep = setInterval(() => {
    for (const ws of wss.clients) if (Date.now() - (heard.get(ws) ?? 0) > SILENT_MS) ws.terminate();
  }, SILENT_MS / 4);
  sweep.unref();
  server.on('upgrade', onUpgrade);
  return () => {
    clearInterval(sweep);
    server.off('upgrade', onUpgrade);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}
