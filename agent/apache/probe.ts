/**
 * Asks Apache for the app the way a browser would: GET the Apache URL with the app's Host header.
 * The answer counts only if it came through this app's vhost (its Via header names the vhost's
 * ServerName) and the app behind it answered without a server error (no 5xx from it or the proxy).
 */
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface ProbeResult {
  ok: boolean;
  status: number;
  via: string | null;
  reason?: string;
  body?: string;
}

/**
 * Over HTTPS (an https: URL) the probe sends `host` as SNI and trusts only `ca` (the HDA's CA), or,
 * given `pin` (a SHA-256 fingerprint), only that exact certificate: the one the agent installed
 * (an ACME certificate whose root this host need not trust).
 */
export function probeThroughApache(apacheUrl: string, host: string, serverName: string, timeoutMs = 10_000, ca?: string, pin?: string): Promise<ProbeResult> {
  const u = new URL(apacheUrl);
  const secure = u.protocol === 'https:';
  const request = secure ? https.request : http.request;
  return new Promise((resolve) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port || (secure ? 443 : 80),
        path: '/',
        method: 'GET',
        headers: { host, 'user-agent': 'hda-agent-probe' },
        timeout: timeoutMs,
        ...(secure ? { servername: host, ...(pin ? { rejectUnauthorized: false } : { ca }) } : {}),
      },
      (res) => {
        const served = pin ? (res.socket as TLSSocket).getPeerCertificate().fingerprint256 : undefined;
        if (pin && served !== pin) {
          res.resume();
          return resolve({ ok: false, status: 0, via: null, reason: `Apache served another certificate than the app's for ${host} (${served ?? 'none'})` });
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (body.length < 4096) body += c;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const via = (res.headers.via as string | undefined) ?? null;
          const throughVhost = via?.split(',').some((v) => new RegExp(`\\s${escapeRe(serverName)}(:\\d+)?(\\s|$)`).test(` ${v.trim().replace(/^\S+/, '')}`));
          if (!throughVhost)
            return resolve({ ok: false, status, via, body, reason: `Apache answered ${status} but not through this app's vhost (Via: ${via ?? 'none'})` });
          if (status >= 502 && status <= 504) return resolve({ ok: false, status, via, body, reason: `Apache could not reach the app (HTTP ${status})` });
          if (status >= 500) return resolve({ ok: false, status, via, body, reason: `the app answers with a server error (HTTP ${status})` });
          resolve({ ok: true, status, via, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ ok: false, status: 0, via: null, reason: `Apache at ${u.host} did not answer: ${e.message}` }));
    req.end();
  });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when something answers HTTP on 127.0.0.1:port (any status: the app is up). */
export function httpAnswers(port: number, timeoutMs = 3000): Promise<{ ok: boolean; status?: number; reason?: string }> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ok: true, status: res.statusCode }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ ok: false, reason: e.message }));
    req.end();
  });
}
