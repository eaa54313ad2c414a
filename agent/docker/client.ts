/**
 * A dockerode client that negotiates the Engine API version instead of pinning one: ask the daemon
 * (an unversioned /version call) which versions it serves and use the highest both sides know.
 * A pinned client broke CasaOS when Docker 29 raised its minimum API version.
 *
 * dockerode (with docker-modem, ssh2 and gRPC under it: some 25 MB resident) is loaded only when a
 * caller needs the Docker API itself (a task, a heartbeat with apps to sample). The version probe,
 * which host facts need on every agent, is one GET over the socket with node:http.
 */
import { request } from 'node:http';
import type Docker from 'dockerode';

/** The newest Engine API this code was written against; older daemons get their own version. */
export const CLIENT_MAX_API = '1.47';

export interface DockerConnection {
  apiVersion: string;
  engineVersion: string;
}

function parse(v: string): [number, number] {
  const m = /^v?(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

function cmp(a: string, b: string): number {
  const [a1, a2] = parse(a);
  const [b1, b2] = parse(b);
  return a1 - b1 || a2 - b2;
}

/** min(daemon max, client max), raised to the daemon's minimum if the daemon is newer than us. */
export function chooseApiVersion(daemonApi: string, daemonMin?: string, clientMax = CLIENT_MAX_API): string {
  let v = cmp(daemonApi, clientMax) < 0 ? daemonApi : clientMax;
  if (daemonMin && cmp(v, daemonMin) < 0) v = daemonMin;
  const [maj, min] = parse(v);
  return `${maj}.${min}`;
}

export class DockerUnavailableError extends Error {
  constructor(socketPath: string, cause: string) {
    super(`Docker daemon not reachable at ${socketPath}: ${cause}`);
    this.name = 'DockerUnavailableError';
  }
}

/** True for errors that mean "the daemon is not there" rather than "the daemon said no". */
export function isDaemonUnreachable(e: unknown): boolean {
  if (e instanceof DockerUnavailableError) return true;
  const code = (e as { code?: string })?.code;
  return code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'EACCES';
}

/** One line for a failed Docker call: "daemon not reachable" said plainly, else the Engine's words. */
export function describeDockerError(e: unknown, socketPath: string): string {
  if (e instanceof DockerUnavailableError) return e.message;
  const err = e as { json?: { message?: string }; message?: string; code?: string };
  if (isDaemonUnreachable(e)) return `Docker daemon not reachable at ${socketPath}: ${err.code ?? err.message}`;
  return err?.json?.message ?? err?.message ?? String(e);
}

interface EngineVersion {
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
}

/** GET /version (unversioned: any daemon answers it) over the socket. */
function engineVersion(socketPath: string, timeoutMs: number): Promise<EngineVersion> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/version', method: 'GET', headers: { host: 'docker' }, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('error', reject);
      res.on('end', () => {
        try {
          const body = JSON.parse(text) as Partial<EngineVersion> & { message?: string };
          if (res.statusCode !== 200 || typeof body.ApiVersion !== 'string')
            throw new Error(`(HTTP code ${res.statusCode}) ${body.message ?? text.slice(0, 200)}`);
          resolve(body as EngineVersion);
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export async function connectDocker(socketPath: string, timeoutMs = 10_000): Promise<DockerConnection> {
  let info: EngineVersion;
  try {
    info = await engineVersion(socketPath, timeoutMs);
  } catch (e) {
    throw new DockerUnavailableError(socketPath, (e as Error).message);
  }
  return { apiVersion: chooseApiVersion(info.ApiVersion, info.MinAPIVersion), engineVersion: info.Version };
}

/**
 * Connects on first use and again after the daemon went away (restart, upgrade), so the agent keeps
 * working across a Docker restart without being restarted itself.
 */
export class DockerProvider {
  private conn: Promise<DockerConnection> | null = null;
  private client: { conn: Promise<DockerConnection>; docker: Promise<Docker> } | null = null;

  constructor(readonly socketPath: string) {}

  /** The daemon's versions (negotiated on first use and after a reset); loads no Docker client. */
  get(): Promise<DockerConnection> {
    if (!this.conn) {
      const conn = connectDocker(this.socketPath);
      this.conn = conn;
      conn.catch(() => {
        if (this.conn === conn) this.conn = null;
      });
    }
    return this.conn;
  }

  /** A dockerode client on the negotiated API version, one per connection. */
  async docker(): Promise<Docker> {
    const conn = this.get();
    if (this.client?.conn !== conn) {
      const docker = conn.then(async ({ apiVersion }) => {
        const { default: Dockerode } = await import('dockerode');
        return new Dockerode({ socketPath: this.socketPath, version: `v${apiVersion}` });
      });
      this.client = { conn, docker };
    }
    return this.client.docker;
  }

  /** Forget the connection after an error that says the daemon is gone. */
  reset(e?: unknown): void {
    if (e === undefined || isDaemonUnreachable(e)) this.conn = null;
  }
}
