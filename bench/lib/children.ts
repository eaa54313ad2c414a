/** Starts a bench child (a TypeScript file run through tsx) and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface Child {
  pid: number;
  url: string;
  proc: ChildProcess;
  /** Resident set size now, in bytes, from /proc/<pid>/status (VmRSS). */
  rss(): Promise<number>;
  /** Cumulative user+system CPU time of the process, in seconds, from /proc/<pid>/stat. */
  cpuSeconds(): Promise<number>;
  /** Waits for the next IPC message of this type. */
  next<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  send(msg: unknown): void;
  close(): Promise<void>;
}

export const benchFile = (rel: string) => fileURLToPath(new URL(`../${rel}`, import.meta.url));

export async function procRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

export async function procCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return ticks / 100; // USER_HZ is 100 on Linux
}

export async function startChild(rel: string, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<Child> {
  const proc = fork(benchFile(rel), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiters = new Map<string, Array<(msg: any) => void>>();
  proc.on('message', (msg: { type?: string }) => {
    const list = msg?.type ? waiters.get(msg.type) : undefined;
    const resolve = list?.shift();
    resolve?.(msg);
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const next = <T>(type: string, ms = 30_000) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${rel}: no '${type}' message within ${ms} ms`)), ms);
      const list = waiters.get(type) ?? [];
      waiters.set(type, list);
      list.push((msg) => {
        clearTimeout(timer);
        resolve(msg as T);
      });
    });
  const failed = exited.then(() => {
    throw new Error(`${rel} exited before it was ready (code ${proc.exitCode})`);
  });
  const ready = await Promise.race([next<{ url: string }>('ready', timeoutMs), failed]);
  return {
    pid: proc.pid!,
    url: ready.url,
    proc,
    rss: () => procRss(proc.pid!),
    cpuSeconds: () => procCpuSeconds(proc.pid!),
    next,
    send: (msg) => proc.send(msg as never),
    close: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      // The child may already have let go of the IPC channel on its way out.
      if (proc.connected) proc.send({ type: 'close' });
      else proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
