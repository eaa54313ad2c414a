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

/** Pulls `ref`, calling onProgress at most every throttleMs (and once at the end). */
export async function pullImage(docker: Docker, ref: string, onProgress: (p: PullProgress) => void, opts: { throttleMs?: number } = {}): Promise<void> {
  const throttleMs = opts.throttleMs ?? 1000;
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.pull(ref)) as NodeJS.ReadableStream;
  } catch (e) {
    throw new PullError(ref, engineMessage(e));
  }
  const layers = new Map<string, { current: number; total: number; done: boolean }>();
  let lastSent = 0;
  const snapshot = (): PullProgress => {
    let current = 0;
    let total = 0;
    let done = 0;
    for (const l of layers.values()) {
      total += l.total;
      current += l.done ? l.total : Math.min(l.current, l.total || l.current);
      if (l.done) done++;
    }
    return { image: ref, current, total, layers: layers.size, layers_done: done };
  };
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    let failed: string | null = null;
    const onLine = (line: string) => {
      if (!line.trim()) return;
      let obj: PullLine;
      try {
        obj = JSON.parse(line) as PullLine;
      } catch {
        return;
      }
      if (obj.error) {
        failed = obj.errorDetail?.message ?? obj.error;
        return;
      }
      if (!obj.id || !obj.status) return;
      const layer = layers.get(obj.id) ?? { current: 0, total: 0, done: false };
      if (obj.status === 'Downloading' && obj.progressDetail) {
        layer.current = obj.progressDetail.current ?? layer.current;
        layer.total = obj.progressDetail.total ?? layer.total;
      } else if (/^(Download complete|Pull complete|Already exists)$/.test(obj.status)) {
        layer.done = true;
      } else if (!/^(Pulling fs layer|Waiting|Verifying Checksum|Extracting)$/.test(obj.status)) {
        return; // "Pulling from ...", "Digest: ...", "Status: ..." are not layers
      }
      layers.set(obj.id, layer);
      const now = Date.now();
      if (now - lastSent >= throttleMs) {
        lastSent = now;
        onProgress(snapshot());
      }
    };
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let i: number;
      // biome-ignore lint/suspicious/noAssignInExpressions: the classic split-on-newline loop
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    stream.on('error', (e: Error) => reject(new PullError(ref, e.message)));
    stream.on('end', () => {
      onLine(buf);
      if (failed) return reject(new PullError(ref, failed));
      onProgress(snapshot());
      resolve();
    });
  });
}

/** The Engine's own words from a dockerode error ("manifest unknown", "pull access denied", ...). */
export function engineMessage(e: unknown): string {
  const err = e as { json?: { message?: string }; reason?: string; message?: string };
  return err?.json?.message ?? err?.message ?? String(e);
}
