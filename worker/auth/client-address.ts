/**
 * Where a request comes from, for rate limits. A forwarding header is believed only when the
 * deployment says a proxy sets it (Workers: Cloudflare sets CF-Connecting-IP); otherwise the
 * socket's peer address (Node), which a client cannot forge.
 */
import type { Context } from 'hono';

export type ClientAddressSource = 'socket' | 'cf-connecting-ip' | 'x-real-ip' | 'x-forwarded-for';

export function clientAddress(c: Context, source: ClientAddressSource): string {
  if (source === 'socket') {
    const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
    return env?.incoming?.socket?.remoteAddress ?? 'unknown';
  }
  const value = c.req.header(source);
  // X-Forwarded-For: the proxy appends the peer it saw; earlier entries are the client's to write.
  return (source === 'x-forwarded-for' ? value?.split(',').pop()?.trim() : value) || 'unknown';
}
