/** Step probe: GET through Apache with the app's Host header until the app answers (graceful reloads take a moment). */
import { probeThroughApache, type ProbeResult } from '../apache/probe';
import { sleep } from '../backoff';
import { StepFailure, type Step } from './types';

const PROBE_WINDOW_MS = 30_000;

export const probeStep: Step = {
  name: 'probe',
  title: 'Probing the app through Apache',
  async run({ work, deps, task, signal }) {
    const inst = task.payload.install;
    const host = `${work.identifier}.${inst.domain}`;
    if (!deps.apache.readVhost(work.identifier)) throw new StepFailure(`no vhost for ${work.identifier}; install the app again`);
    const probe = deps.probe ?? probeThroughApache;
    const deadline = Date.now() + PROBE_WINDOW_MS;
    let last: ProbeResult | null = null;
    while (Date.now() < deadline && !signal.aborted) {
      last = await probe(deps.config.apacheProbeUrl, host, work.identifier);
      if (last.ok) return `http://${host}/ answers through Apache (HTTP ${last.status})`;
      await sleep(500, signal);
    }
    throw new StepFailure(last?.reason ?? 'no answer through Apache');
  },
};
