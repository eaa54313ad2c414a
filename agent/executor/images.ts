/**
 * Step images (after an update, a rollback or an uninstall): record the deployment's images, then
 * remove the images this agent pulled that no install needs any more. Each install keeps its
 * current images and those of the deployment before it (what a rollback starts again). Only images
 * in the agent's ledger are considered, never other software's; a failure here only warns.
 */
import { imageId, removeImages, type RemovedImage } from '../docker/images';
import { ImageLedger } from '../image-ledger';
import { isOneOf, VERSION_CHANGING_KINDS } from '../../core/protocol/kinds';
import { defineStep, type StepBase } from './steps';
import type { ExecutorDeps } from './types';

export interface Cleanup {
  removed: RemovedImage[];
  kept: Array<{ id: string; reason: string }>;
  bytes: number;
}

/** Removes ledger images that no install of this agent keeps, nor any of `keepNames` (names, digests or ids). */
export async function removeUnusedImages(deps: ExecutorDeps, keepNames: string[] = []): Promise<Cleanup> {
  const docker = await deps.docker.docker();
  const ledger = new ImageLedger(deps.config.stateDir);
  const keep = new Set<string>();
  for (const rec of deps.installs.list()) {
    for (const id of Object.values(rec.images ?? {})) keep.add(id);
    for (const id of Object.values(rec.previous_images ?? {})) keep.add(id);
  }
  for (const name of keepNames) {
    // A name keeps the image it names now; an id keeps itself.
    const id = await imageId(docker, name).catch(() => null);
    keep.add(id ?? name);
  }
  const candidates = Object.entries(ledger.all())
    .filter(([id]) => !keep.has(id))
    .map(([id, e]) => ({ id, refs: e.refs }));
  const { removed, kept } = await removeImages(docker, candidates);
  for (const r of removed) ledger.forget(r.id);
  return { removed, kept, bytes: removed.reduce((n, r) => n + r.bytes, 0) };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${n} bytes (${v.toFixed(1)} ${units[i]})`;
}

export const imagesStep = defineStep({
  name: 'images',
  title: 'Removing images no install needs any more',
  needs: [],
  gives: ['recorded'],
  uses: ['images'],
  async run(ctx) {
    const { task, work, deps, input } = ctx;
    const recorded = isOneOf(VERSION_CHANGING_KINDS, task.kind) && !!work.version;
    if (recorded) deps.installs.recordDeployment(work.identifier, work.version!.version, input.images?.pins ?? {});
    return { summary: await cleanUp(ctx), made: { recorded } };
  },
});

/** Removes what no install needs; a failure only warns. */
async function cleanUp({ deps, report }: StepBase): Promise<string> {
  let r: Cleanup;
  try {
    r = await removeUnusedImages(deps);
  } catch (e) {
    deps.docker.reset(e);
    report.warn(`image cleanup skipped: ${(e as Error).message}`);
    return 'image cleanup skipped';
  }
  for (const img of r.removed) report.ok(`removed ${img.refs.join(', ') || img.id.slice(0, 19)}`, { id: img.id, refs: img.refs, bytes: img.bytes });
  return r.removed.length ? `removed ${r.removed.length} image(s) no install needs; freed ${formatBytes(r.bytes)}` : 'no unused images';
}
