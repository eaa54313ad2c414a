/**
 * Step pull: every image the compose names that is not on the host yet, pulled through the Engine
 * with byte progress reported as Progress events. Images built by compose are left to `up`.
 */
import { imagePresent, pullImage, PullError } from '../docker/pull';
import { describeDockerError } from '../docker/client';
import { StepFailure, type Step } from './types';

export const pullStep: Step = {
  name: 'pull',
  title: 'Pulling images',
  async run({ work, deps, report }) {
    if (work.images.length === 0) return 'no images to pull (built locally)';
    let pulled = 0;
    try {
      const docker = await deps.docker.docker();
      for (const ref of work.images) {
        if (await imagePresent(docker, ref)) {
          report.ok(`${ref} is already present`, { image: ref });
        } else {
          report.ok(`pulling ${ref}`, { image: ref });
          await pullImage(
            docker,
            ref,
            (p) => report.progress(`${ref}: ${p.current} of ${p.total} bytes`, { ...p }),
            { throttleMs: deps.progressThrottleMs ?? 1000 },
          );
          pulled++;
        }
        const info = await docker.getImage(ref).inspect();
        work.imageIds[ref] = info.RepoDigests?.[0] ?? info.Id;
      }
    } catch (e) {
      deps.docker.reset(e);
      if (e instanceof PullError) throw new StepFailure(e.message);
      throw new StepFailure(describeDockerError(e, deps.docker.socketPath));
    }
    return pulled ? `pulled ${pulled} of ${work.images.length} image(s)` : 'all images present';
  },
};
