/**
 * Step prune (an HDA-wide task): remove the images this agent pulled that no container
 * uses, except those the control plane names (each install's current and previous deployments)
 * and those the agent's own install records keep; report the bytes freed (a PruneReport in the
 * summary event and, as the total, in the Finalized event).
 */
import type { PruneReport } from '../../core/protocol';
import { formatBytes, removeUnusedImages, type Cleanup } from './images';
import { defineStep } from './steps';
import { StepFailure } from './types';

export const pruneStep = defineStep<'prune', never, 'outcome'>({
  name: 'prune',
  title: 'Removing unused images',
  needs: [],
  gives: ['outcome'],
  async run({ task, deps, report }) {
    const keep = task.payload.prune.keep_images;
    let r: Cleanup;
    try {
      r = await removeUnusedImages(deps, keep);
    } catch (e) {
      deps.docker.reset(e);
      throw new StepFailure(`cannot prune images: ${(e as Error).message}`);
    }
    for (const img of r.removed) report.ok(`removed ${img.refs.join(', ') || img.id.slice(0, 19)}`, { id: img.id, refs: img.refs, bytes: img.bytes });
    for (const k of r.kept) if (k.reason !== 'a container uses it') report.ok(`kept ${k.id.slice(0, 19)}: ${k.reason}`);
    const total: PruneReport = { bytes_freed: r.bytes, removed: r.removed.map((i) => i.id) };
    report.ok(`freed ${formatBytes(r.bytes)}`, { ...total, kept: keep });
    const detail = `removed ${r.removed.length} unused image(s); freed ${formatBytes(r.bytes)}`;
    return { summary: detail, made: { outcome: { detail, finalData: { ...total } } } };
  },
});
