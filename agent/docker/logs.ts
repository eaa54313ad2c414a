/**
 * Container logs with stdout and stderr kept apart. Without a TTY the Engine multiplexes both
 * streams into frames (1 byte stream type, 3 zero bytes, 4 bytes big-endian length, payload); the
 * demuxer below reads them incrementally and splits the text into lines per stream, holding back a
 * line that is not finished yet. A container with a TTY has a single raw stream: all stdout.
 */
import type Docker from 'dockerode';
import type { LogChunk } from '../../core/protocol';

export type LogStream = LogChunk['stream'];

/** Longest line kept; longer ones are cut (a log line is for reading, not for transferring files). */
export const MAX_LINE = 4000;

export class LogDemuxer {
  private buf: Buffer = Buffer.alloc(0);
  private readonly partial: Record<LogStream, string> = { stdout: '', stderr: '' };

  constructor(
    private readonly onLine: (stream: LogStream, line: string) => void,
    /** True when the container has a TTY: no frames, everything is stdout. */
    private readonly raw = false,
  ) {}

  push(chunk: Buffer): void {
    if (this.raw) return this.text('stdout', chunk.toString('utf8'));
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const type = this.buf[0];
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      const payload = this.buf.subarray(8, 8 + size).toString('utf8');
      this.buf = this.buf.subarray(8 + size);
      // 0 is stdin (echoed with a TTY-less attach), 1 stdout, 2 stderr.
      this.text(type === 2 ? 'stderr' : 'stdout', payload);
    }
  }

  private text(stream: LogStream, s: string): void {
    const parts = (this.partial[stream] + s).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const line of parts) this.onLine(stream, line.replace(/\r$/, '').slice(0, MAX_LINE));
  }

  /** The stream ended: unfinished lines count as lines. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.onLine(stream, this.partial[stream].slice(0, MAX_LINE));
      this.partial[stream] = '';
    }
  }
}

/** Batches lines per (container, stream) into LogChunks, at most `max` lines each. */
export class ChunkBuffer {
  private readonly pending = new Map<string, LogChunk>();

  constructor(
    private readonly emit: (chunk: LogChunk) => void,
    private readonly max = 200,
  ) {}

  add(container: string, stream: LogStream, line: string): void {
    const key = `${container}\0${stream}`;
    const c = this.pending.get(key) ?? { container, stream, lines: [] };
    c.lines.push(line);
    this.pending.set(key, c);
    if (c.lines.length >= this.max) this.flushKey(key);
  }

  private flushKey(key: string): void {
    const c = this.pending.get(key);
    this.pending.delete(key);
    if (c?.lines.length) this.emit(c);
  }

  flush(): void {
    for (const key of [...this.pending.keys()]) this.flushKey(key);
  }
}

/** The last `tail` lines of a container, both streams, read at once. */
export async function tailLogs(docker: Docker, id: string, tail: number, onLine: (stream: LogStream, line: string) => void): Promise<void> {
  const c = docker.getContainer(id);
  const tty = (await c.inspect()).Config?.Tty === true;
  const buf = (await c.logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
  const d = new LogDemuxer(onLine, tty);
  d.push(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
  d.end();
}

/** The last `tail` lines, then new ones as they come, until `signal` aborts. */
export async function followLogs(
  docker: Docker,
  id: string,
  tail: number,
  signal: AbortSignal,
  onLine: (stream: LogStream, line: string) => void,
): Promise<void> {
  const c = docker.getContainer(id);
  const tty = (await c.inspect()).Config?.Tty === true;
  if (signal.aborted) return;
  const stream = (await c.logs({ stdout: true, stderr: true, tail, follow: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  const d = new LogDemuxer(onLine, tty);
  await new Promise<void>((resolve) => {
    const stop = () => {
      stream.destroy();
      finish();
    };
    const finish = () => {
      signal.removeEventListener('abort', stop);
      d.end();
      resolve();
    };
    signal.addEventListener('abort', stop, { once: true });
    stream.on('data', (b: Buffer) => d.push(b));
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
    if (signal.aborted) stop();
  });
}
