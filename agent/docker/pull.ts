/**
 * Image pulls with byte progress: the Engine's pull stream (one JSON object per line, per layer) is
 * summed into one figure per image and handed on no more often than the throttle allows, so a
 * browser can draw a progress bar without the event stream drowning in layer chatter.
 */
import type Docker from 'dockerode';

export interface PullProgress {
  image: string;
  current: number;
  total: number;
  layers: number;
  layers_done: number;
}

export class PullError extends Error {
  constructor(image: string, reason: string) {
    super(`pulling ${image} failed: ${reason}`);
    this.name = 'PullError';
  }
}

export async function imagePresent(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return false;
    throw e;
  }
}

interface PullLine {
  id?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
}

/** Sums the Engine's per-layer pull lines into one figure for the image. */
class PullTally {
  private layers = new Map<string, { current: number; total: number; done: boolean }>();
  /** The Engine's error, once a line carried one. */
  failed: string | null = null;

  constructor(private readonly image: string) {}

  /** Takes one line of the pull stream; true when it moved a layer. */
  take(line: string): boolean {
    let obj: PullLine;
    try {
      obj = JSON.parse(line) as PullLine;
    } catch {
      return false;
    }
    if (obj.error) {
      this.failed = obj.errorDetail?.message ?? obj.error;
      return false;
    }
    if (!obj.id || !obj.status) return false;
    const layer = this.layers.get(obj.id) ?? { current: 0, total: 0, done: false };
    if (obj.status === 'Downloading' && obj.progressDetail) {
      layer.current = obj.progressDetail.current ?? layer.current;
      layer.total = obj.progressDetail.total ?? layer.total;
    } else if (/^(Download complete|Pull complete|Already exists)$/.test(obj.status)) {
      layer.done = true;
    } else if (!/^(Pulling fs layer|Waiting|Verifying Checksum|Extracting)$/.test(obj.status)) {
      return false; // "Pulling from ...", "Digest: ...", "Status: ..." are not layers
    }
    this.layers.set(obj.id, layer);
    return true;
  }

  progress(): PullProgress {
    let current = 0;
    let total = 0;
    let done = 0;
    for (const l of this.layers.values()) {
      total += l.total;
      current += l.done ? l.total : Math.min(l.current, l.total || l.current);
      if (l.done) done++;
    }
    return { image: this.image, current, total, layers: this.layers.size, layers_done: done };
  }
}

/** Calls onLine for each non-empty line of a stream, and resolves at its end. */
function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let buf = '';
    const emit = (line: string) => line.trim() && onLine(line);
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let i: number;
      // biome-ignore lint/suspicious/noAssignInExpressions: the classic split-on-newline loop
      while ((i = buf.indexOf('\n')) >= 0) {
        emit(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    stream.on('error', reject);
    stream.on('end', () => {
      emit(buf);
      resolve();
    });
  });
}

/** Pulls `ref`, calling onProgress at most every throttleMs (and once at the end). */
export async function pullImage(docker: Docker, ref: string, onProgress: (p: PullProgress) => void, opts: { throttleMs?: number } = {}): Promise<void> {
  const throttleMs = opts.throttleMs ?? 1000;
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.pull(ref)) as NodeJS.ReadableStream;
  } catch (e) {
    throw new PullError(ref, engineMessage(e));
  }
  const tally = new PullTally(ref);
  let lastSent = 0;
  try {
    await eachLine(stream, (line) => {
      if (!tally.take(line) || Date.now() - lastSent < throttleMs) return;
      lastSent = Date.now();
      onProgress(tally.progress());
    });
  } catch (e) {
    throw new PullError(ref, (e as Error).message);
  }
  if (tally.failed) throw new PullError(ref, tally.failed);
  onProgress(tally.progress());
}

/** The Engine's own words from a dockerode error ("manifest unknown", "pull access denied", ...). */
export function engineMessage(e: unknown): string {
  const err = e as { json?: { message?: string }; reason?: string; message?: string };
  return err?.json?.message ?? err?.message ?? String(e);
}
