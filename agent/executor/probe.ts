/** Step probe: GET through Apache with the app's Host header until the app answers (graceful reloads take a moment). */
import { probeThroughApache, type ProbeResult } from '../apache/probe';
import { vhostStem } from '../apache/vhost';
import { sleep } from '../backoff';
import { currentTls } from './https';
import { defineStep } from './steps';
import { StepFailure, type ExecutorDeps } from './types';

const PROBE_WINDOW_MS = 30_000;

/**
 * Plain HTTP, or HTTPS when the plain vhost only redirects there: trusting the HDA's CA, or with ACME
 * exactly the certificate the agent installed.
 */
function probeTarget(deps: ExecutorDeps, identifier: string): { url: string; scheme: string; ca?: string; pin?: string } {
  const tls = currentTls(deps, identifier);
  if (!tls?.redirect || !deps.tls) return { url: deps.config.apacheProbeUrl, scheme: 'http' };
  const url = `https://${new URL(deps.config.apacheProbeUrl).hostname}:${tls.port}/`;
  if (deps.tls.source === 'acme')
    return { url, scheme: 'https', pin: deps.tls.certs.read(vhostStem(identifier, deps.config.namespace ?? ''))?.cert.fingerprint256 };
  return { url, scheme: 'https', ca: deps.tls.ca.certPem() ?? undefined };
}

export const probeStep = defineStep({
  name: 'probe',
  title: 'Probing the app through Apache',
  needs: [],
  gives: [],
  async run({ work, deps, task, signal }) {
    const inst = task.payload.install;
    const host = `${work.identifier}.${inst.domain}`;
    if (!deps.apache.readVhost(work.identifier)) throw new StepFailure(`no vhost for ${work.identifier}; install the app again`);
    const probe = deps.probe ?? probeThroughApache;
    const via = probeTarget(deps, work.identifier);
    const deadline = Date.now() + PROBE_WINDOW_MS;
    let last: ProbeResult | null = null;
    while (Date.now() < deadline && !signal.aborted) {
      last = await probe(via.url, host, work.identifier, undefined, via.ca, via.pin);
      if (last.ok) return `${via.scheme}://${host}/ answers through Apache (HTTP ${last.status})`;
      await sleep(500, signal);
    }
    throw new StepFailure(last?.reason ?? 'no answer through Apache');
  },
});
