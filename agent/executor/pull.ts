/**
 * Step pull: every image the compose names that is not on the host yet, pulled through the Engine
 * with byte progress reported as Progress events. Images built by compose are left to `up`. A
 * rollback first puts each reference back on the image recorded when that version was deployed.
 * An update asks the registry again even for an image on the host (a re-pull of the same tags).
 * Each image's id (and registry digest) is recorded for the deployment; the images the agent
 * fetched go into its ledger (what image cleanup may remove).
 */
import { digestFor, restorePin } from '../docker/images';
import { imagePresent, pullImage, PullError } from '../docker/pull';
import { describeDockerError } from '../docker/client';
import { ImageLedger } from '../image-ledger';
import { defineStep } from './steps';
import { StepFailure, type PulledImages } from './types';

export const pullStep = defineStep({
  name: 'pull',
  title: 'Pulling images',
  needs: ['rendered'],
  gives: ['images'],
  async run({ task, work, deps, report, input }) {
    const { images } = input.rendered;
    const made: PulledImages = { ids: {}, pins: {} };
    if (images.length === 0) return { summary: 'no images to pull (built locally)', made: { images: made } };
    let pulled = 0;
    const ledger = new ImageLedger(deps.config.stateDir);
    const progress = (ref: string) => (p: { current: number; total: number }) => report.progress(`${ref}: ${p.current} of ${p.total} bytes`, { ...p });
    // An update asks the registry again, so "the same tags" can bring new bytes; a rollback and the
    // automatic return to the previous deployment want the recorded bytes instead.
    const refresh = task.kind === 'update' && !work.noSwitch;
    try {
      const docker = await deps.docker.docker();
      for (const ref of images) {
        let fetched = false;
        const pin = work.restorePins?.[ref];
        if (pin) {
          const outcome = await restorePin(docker, ref, pin, (p) => progress(ref)(p as { current: number; total: number }));
          if (outcome === 'retagged' || outcome === 'pulled')
            report.ok(`${ref} names the image recorded at deploy time again (${pin.id.slice(0, 19)}, ${outcome})`, { image: ref, id: pin.id });
          else if (outcome === 'missing')
            report.warn(`the image recorded for ${ref} (${pin.id.slice(0, 19)}) is gone and has no registry digest; using what ${ref} names now`, {
              image: ref,
            });
          fetched = outcome === 'pulled';
        }
        const present = await imagePresent(docker, ref);
        if (!present || (refresh && !pin)) {
          report.ok(`${present ? 'checking the registry for' : 'pulling'} ${ref}`, { image: ref });
          try {
            await pullImage(docker, ref, progress(ref), { throttleMs: deps.progressThrottleMs ?? 1000 });
            pulled++;
            fetched = true;
          } catch (e) {
            // Offline, or an image provided on this host only: the one here still serves.
            if (!present || !(e instanceof PullError)) throw e;
            report.warn(`could not refresh ${ref} (${e.message}); using the image on this host`, { image: ref });
          }
        } else {
          report.ok(`${ref} is already present`, { image: ref });
        }
        const info = await docker.getImage(ref).inspect();
        const digest = digestFor(ref, info.RepoDigests);
        made.ids[ref] = digest ?? info.Id;
        made.pins[ref] = { id: info.Id, ...(digest ? { digest } : {}) };
        // Only what the agent fetched is its own to remove later; images provided on the host are not.
        if (fetched) ledger.add(info.Id, ref);
      }
    } catch (e) {
      deps.docker.reset(e);
      if (e instanceof PullError) throw new StepFailure(e.message);
      throw new StepFailure(describeDockerError(e, deps.docker.socketPath));
    }
    return { summary: pulled ? `pulled ${pulled} of ${images.length} image(s)` : 'all images present', made: { images: made } };
  },
});
