/**
 * The owner's choice "HTTP redirected to HTTPS", on the testbed's Apache: the plain vhost answers
 * with a permanent redirect to the app's HTTPS address, the agent's probe goes over HTTPS trusting
 * only the HDA's CA, and the app answers there.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, probeTestbed } from '../helpers/testbed';
import { createHarness, DOMAIN, run, standinCompose, task, uniqueId, version, type Harness } from '../helpers/agent-harness';

const probe = probeTestbed();
const problem = !probe.ok ? probe.reason : !probe.testbed.apacheHttpsPort ? 'the testbed Apache has no HTTPS port (run test/testbed/up.sh)' : null;
const available = requireOrSkip('agent testbed with HTTPS', problem === null, problem ?? '');

describe.skipIf(!available)('HTTP redirected to HTTPS when the owner asks', () => {
  let h: Harness;
  const id = uniqueId('redir');
  const fqdn = `${id}.${DOMAIN}`;
  let https: number;
  let taskId: string;

  beforeAll(async () => {
    if (!probe.ok) return;
    h = await createHarness(probe.testbed, { 'https-redirect': 'true' });
    https = probe.testbed.apacheHttpsPort!;
    const t = await task(h, 'install', id, await freePort(), version(standinCompose(probe.testbed.standinImage)));
    taskId = t.id;
    expect(await run(h, t)).toBe('succeeded');
  });
  afterAll(async () => h?.cleanup());

  it('the install is probed over HTTPS', () => {
    const done = h.client.events.get(taskId)!.find((e) => e.step === 'probe' && e.status === 'Complete');
    expect(done?.message).toBe(`https://${fqdn}/ answers through Apache (HTTP 200)`);
  });

  it('plain HTTP answers with a permanent redirect to the HTTPS address; HTTPS serves the app', () => {
    const tb = probe.ok ? probe.testbed : null;
    const plain = spawnSync(
      'curl',
      ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', '-H', `Host: ${fqdn}`, `http://127.0.0.1:${tb!.apachePort}/x?y=1`],
      {
        encoding: 'utf8',
      },
    );
    expect(plain.stdout).toBe(`301 https://${fqdn}:${https}/x?y=1`);
    const secure = spawnSync('curl', ['-sS', '--cacert', h.deps.tls!.ca.certPath, '--resolve', `${fqdn}:${https}:127.0.0.1`, `https://${fqdn}:${https}/`], {
      encoding: 'utf8',
    });
    expect(secure.status).toBe(0);
    expect(secure.stdout).toContain(`host: ${fqdn}`);
  });
});
