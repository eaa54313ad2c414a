/**
 * Step pull: every image the compose names that is not on the host yet, pulled through the Engine
 * with byte progress reported as Progress events. Images built by compose are left to `up`. A
 * rollback first puts each reference back on the image recorded when that version was deployed.
 * Each image's id (and registry digest) is recorded for the deployment and in the agent's ledger.
 */
import { digestFor, restorePin } from '../docker/images';
import { imagePresent, pullImage, PullError } from '../docker/pull';
import { describeDockerError } from '../docker/client';
import { ImageLedger } from '../image-ledger';
import { StepFailure, type Step } from './types';

export const pullStep: Step = {
  name: 'pull',
  title: 'Pulling images',
  async run({ work, deps, report }) {
    if (work.images.length === 0) return 'no images to pull (built locally)';
    let pulled = 0;
    const ledger = new ImageLedger(deps.config.stateDir);
    const progress = (ref: string) => (p: { current: number; total: number }) => report.progress(`${ref}: ${p.current} of ${p.total} bytes`, { ...p });
    try {
      const docker = await deps.docker.docker();
      for (const ref of work.images) {
        const pin = work.restorePins?.[ref];
        if (pin) {
          const outcome = await restorePin(docker, ref, pin, (p) => progress(ref)(p as { current: number; total: number }));
          if (outcome === 'retagged' || outcome === 'pulled') report.ok(`${ref} names the image recorded at deploy time again (${pin.id.slice(0, 19)}, ${outcome})`, { image: ref, id: pin.id });
          else if (outcome === 'missing') report.warn(`the image recorded for ${ref} (${pin.id.slice(0, 19)}) is gone and has no registry digest; using what ${ref} names now`, { image: ref });
        }
        if (await imagePresent(docker, ref)) {
          report.ok(`${ref} is already present`, { image: ref });
        } else {
          report.ok(`pulling ${ref}`, { image: ref });
          await pullImage(docker, ref, progress(ref), { throttleMs: deps.progressThrottleMs ?? 1000 });
          pulled++;
        }
        const info = await docker.getImage(ref).inspect();
        const digest = digestFor(ref, info.RepoDigests);
        work.imageIds[ref] = digest ?? info.Id;
        work.pins[ref] = { id: info.Id, ...(digest ? { digest } : {}) };
        ledger.add(info.Id, ref);
      }
    } catch (e) {
      deps.docker.reset(e);
      if (e instanceof PullError) throw new StepFailure(e.message);
      throw new StepFailure(describeDockerError(e, deps.docker.socketPath));
    }
    return pulled ? `pulled ${pulled} of ${work.images.length} image(s)` : 'all images present';
  },
};
