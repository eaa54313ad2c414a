/**
 * Images by their exact bytes: which local image a reference names, putting a reference back on the
 * image recorded at deploy time (a rollback runs the same bytes even if the tag has moved since),
 * and removing images no container uses, with the bytes that frees.
 */
import type Docker from 'dockerode';
import type { ImagePin } from '../installs';
import { pullImage } from './pull';

/** `registry:5000/a/b:tag` -> repo `registry:5000/a/b`, tag `tag` (latest when none); null for a digest reference. */
export function splitRef(ref: string): { repo: string; tag: string } | null {
  if (ref.includes('@')) return null;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref, tag: 'latest' };
}

export async function imageId(docker: Docker, ref: string): Promise<string | null> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return null;
    throw e;
  }
}

/** The repo digest of `info` that belongs to the reference's own repository, if it came from a registry. */
export function digestFor(ref: string, repoDigests: string[] | undefined): string | undefined {
  const repo = splitRef(ref)?.repo ?? ref.split('@')[0];
  return (repoDigests ?? []).find((d) => d.startsWith(`${repo}@`)) ?? undefined;
}

export type RestoreOutcome = 'same' | 'retagged' | 'pulled' | 'missing';

/**
 * Makes `ref` name the pinned image again: retag the local image if it is still here, else pull the
 * recorded digest and tag that. 'missing' means neither is possible (the caller uses the tag as is).
 */
export async function restorePin(docker: Docker, ref: string, pin: ImagePin, onProgress?: (p: Record<string, unknown>) => void): Promise<RestoreOutcome> {
  const parts = splitRef(ref);
  if (!parts) return 'same';
  if ((await imageId(docker, ref)) === pin.id) return 'same';
  if (await imageId(docker, pin.id)) {
    await docker.getImage(pin.id).tag({ repo: parts.repo, tag: parts.tag });
    return 'retagged';
  }
  if (!pin.digest) return 'missing';
  await pullImage(docker, pin.digest, (p) => onProgress?.({ ...p }));
  const id = await imageId(docker, pin.digest);
  if (!id) return 'missing';
  await docker.getImage(id).tag({ repo: parts.repo, tag: parts.tag });
  return 'pulled';
}

export interface RemovedImage {
  id: string;
  refs: string[];
  bytes: number;
}

/** Bytes each image holds that no other image shares (what deleting it frees), from `docker system df`. */
async function uniqueSizes(docker: Docker): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    const df = (await docker.df()) as { Images?: Array<{ Id: string; Size: number; SharedSize: number }> };
    for (const i of df.Images ?? []) out.set(i.Id, Math.max(0, i.Size - Math.max(0, i.SharedSize ?? 0)));
  } catch {
    /* sizes are a report, not a condition */
  }
  return out;
}

/**
 * Removes each image (by its references, then by id) unless a container uses it. Docker itself
 * refuses to delete an image a container, running or stopped, was created from; that refusal
 * means "keep". Returns what went, and why the others stayed.
 */
export async function removeImages(
  docker: Docker,
  candidates: Array<{ id: string; refs: string[] }>,
): Promise<{ removed: RemovedImage[]; kept: Array<{ id: string; reason: string }> }> {
  const removed: RemovedImage[] = [];
  const kept: Array<{ id: string; reason: string }> = [];
  if (candidates.length === 0) return { removed, kept };
  const used = new Set((await docker.listContainers({ all: true })).map((c) => c.ImageID));
  const sizes = await uniqueSizes(docker);
  for (const c of candidates) {
    if (used.has(c.id)) {
      kept.push({ id: c.id, reason: 'a container uses it' });
      continue;
    }
    const info = await docker
      .getImage(c.id)
      .inspect()
      .catch(() => null);
    if (!info) {
      removed.push({ id: c.id, refs: [], bytes: 0 });
      continue;
    }
    try {
      // Only the references this agent used: a tag someone else put on the same image stays, and keeps it.
      for (const ref of c.refs) if ((await imageId(docker, ref)) === c.id) await docker.getImage(ref).remove();
      if (await imageId(docker, c.id)) {
        const left = (info.RepoTags ?? []).filter((t) => !c.refs.includes(t) && t !== '<none>:<none>');
        if (left.length) {
          kept.push({ id: c.id, reason: `also tagged ${left.join(', ')}` });
          continue;
        }
        await docker.getImage(c.id).remove();
      }
      removed.push({ id: c.id, refs: c.refs, bytes: sizes.get(c.id) ?? info.Size ?? 0 });
    } catch (e) {
      kept.push({ id: c.id, reason: (e as { json?: { message?: string } }).json?.message ?? (e as Error).message });
    }
  }
  return { removed, kept };
}
