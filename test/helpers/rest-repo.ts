/**
 * A restic REST repository served for real over the loopback: `rclone serve restic` on a free port,
 * stopped by the caller. Waits for the port to answer, never a fixed sleep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';

export interface RestRepoServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => resolve(c.end() && true));
    c.once('error', () => resolve(false));
  });

export async function serveRestRepo(dir: string, path = 'repo'): Promise<RestRepoServer> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child: ChildProcess = spawn('rclone', ['serve', 'restic', '--addr', `127.0.0.1:${port}`, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  for (let i = 0; i < 200 && !(await answers(port)); i++) {
    if (child.exitCode !== null) throw new Error(`rclone serve restic exited: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!(await answers(port))) throw new Error(`rclone serve restic did not listen on ${port}: ${stderr}`);
  return {
    url: `rest:http://127.0.0.1:${port}/${path}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
