/**
 * Starts a bench child (a TypeScript file run through tsx) and talks to it over IPC. Whatever the
 * child does (exits, is killed, drops its channel), nothing here throws out of band: a send to a
 * gone child and a wait for a message it will never send reject with an error naming the child and
 * how it ended, which the suite reports as its failed row.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Child {
  /** The file's name, for messages. */
  name: string;
  pid: number;
  url: string;
  proc: ChildProcess;
  /** Resident set size now, in bytes, from /proc/<pid>/status (VmRSS). */
  rss(): Promise<number>;
  /** Cumulative user+system CPU time of the process, in seconds, from /proc/<pid>/stat. */
  cpuSeconds(): Promise<number>;
  /** Waits for the next IPC message of this type; rejects if the child ends first. */
  next<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  /** Resolves once the message is handed to the channel; rejects if the child is gone. */
  send(msg: { type: string } & Record<string, unknown>): Promise<void>;
  /** How the child ended, or null while it runs. */
  ended(): string | null;
  /** Ends the child (asks, then SIGTERM, then SIGKILL); never rejects. */
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

/** How a process ended, in words. */
export function endOf(proc: ChildProcess): string {
  return proc.signalCode ? `killed by ${proc.signalCode}` : `exited with code ${proc.exitCode}`;
}

/** Starts `file` (a path under bench/, or absolute) and waits for its { type: 'ready', url }. */
export async function startChild(file: string, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<Child> {
  const proc = fork(isAbsolute(file) ? file : benchFile(file), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const name = file.split('/').pop()!;
  let channelError: Error | null = null;
  // A write to a channel the child already closed (EPIPE) arrives here, not as a crash of the bench.
  proc.on('error', (err) => void (channelError = err));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const gone = () => proc.exitCode !== null || proc.signalCode !== null;
  const waiters = new Map<string, Array<(msg: any) => void>>();
  proc.on('message', (msg: { type?: string }) => {
    const list = msg?.type ? waiters.get(msg.type) : undefined;
    list?.shift()?.(msg);
  });

  const next = <T>(type: string, ms = 30_000) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name}: no '${type}' message within ${ms} ms`)), ms);
      const list = waiters.get(type) ?? [];
      waiters.set(type, list);
      const waiter = (msg: unknown) => {
        clearTimeout(timer);
        resolve(msg as T);
      };
      list.push(waiter);
      void exited.then(() => {
        if (!list.includes(waiter)) return;
        list.splice(list.indexOf(waiter), 1);
        clearTimeout(timer);
        reject(new Error(`${name} ${endOf(proc)} before it sent '${type}'`));
      });
    });

  const send = (msg: { type: string }) =>
    new Promise<void>((resolve, reject) => {
      const refuse = (why: string) => reject(new Error(`${name}: could not send '${msg.type}': ${why}`));
      if (gone() || !proc.connected) return refuse(gone() ? `it ${endOf(proc)}` : 'its channel is closed');
      try {
        proc.send(msg, (err) => (err ? refuse(err.message) : resolve()));
      } catch (err) {
        refuse((err as Error).message);
      }
    });

  const ready = await next<{ url: string }>('ready', timeoutMs).catch((err: Error) => {
    if (!gone()) proc.kill('SIGKILL');
    throw new Error(`${err.message}${channelError ? ` (${channelError.message})` : ''}`);
  });
  return {
    name,
    pid: proc.pid!,
    url: ready.url,
    proc,
    rss: () => procRss(proc.pid!),
    cpuSeconds: () => procCpuSeconds(proc.pid!),
    next,
    send,
    ended: () => (gone() ? endOf(proc) : null),
    close: async () => {
      if (gone()) return;
      // Ask first; a child that let go of its channel on its way out gets SIGTERM instead.
      await send({ type: 'close' }).catch(() => proc.kill('SIGTERM'));
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
