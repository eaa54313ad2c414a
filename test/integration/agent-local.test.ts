/**
 * The local agent `npm start` runs: the host check names what is missing, and startLocalAgent
 * enrolls against a control plane and runs until stopped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireOrSkip } from '../helpers/requirements';
import { probeTestbed } from '../helpers/testbed';
import { checkLocalAgentHost, startLocalAgent } from '../../agent/local';

const probe = probeTestbed();
const available = requireOrSkip('agent testbed (Docker, Compose v1, Apache)', probe.ok, probe.ok ? '' : probe.reason);

describe.skipIf(!available)('local agent for npm start', () => {
  const tb = probe.ok ? probe.testbed : null!;
  const env = () => ({
    HDA_AGENT_APACHE_SITES_DIR: tb.apacheSitesDir,
    HDA_AGENT_APACHE_CONFIGTEST: JSON.stringify(tb.configtest),
    HDA_AGENT_APACHE_RELOAD: JSON.stringify(tb.reload),
    HDA_AGENT_APACHE_URL: tb.apacheUrl,
    HDA_AGENT_HTTPS_PORT: String(tb.apacheHttpsPort ?? 0),
    HDA_AGENT_NAMES: 'off',
    HDA_AGENT_DOCKER_SOCKET: tb.dockerSocket,
    HDA_AGENT_COMPOSE: tb.compose,
  });

  it('finds Docker, Compose and Apache on the testbed, and says plainly what is missing elsewhere', async () => {
    expect((await checkLocalAgentHost(env())).missing).toEqual([]);
    const bad = await checkLocalAgentHost({
      ...env(),
      HDA_AGENT_DOCKER_SOCKET: '/nonexistent/docker.sock',
      HDA_AGENT_APACHE_SITES_DIR: '/nonexistent/sites',
      HDA_AGENT_APACHE_CONFIGTEST: 'no-such-apachectl configtest',
    });
    expect(bad.ok).toBe(false);
    expect(bad.missing.join('\n')).toMatch(/Docker daemon not reachable at \/nonexistent\/docker.sock/);
    expect(bad.missing.join('\n')).toMatch(/sites dir \/nonexistent\/sites does not exist/);
    expect(bad.missing.join('\n')).toMatch(/cannot run no-such-apachectl/);
  });

  it('enrolls with the code, runs, and stops on SIGTERM with exit 0; a restart needs no code', async () => {
    const { startControlPlane } = await import('../../worker/node-server');
    const plane = await startControlPlane({
      port: 0,
      host: '127.0.0.1',
      adminEmail: 'admin@local.test',
      adminPassword: 'local-password-long-enough',
      quiet: true,
    });
    const stateDir = mkdtempSync(join(tmpdir(), 'hda-local-'));
    const lines: string[] = [];
    try {
      const login = (await (
        await fetch(new URL('/api/auth/login', plane.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'admin@local.test', password: 'local-password-long-enough' }),
        })
      ).json()) as { token: string };
      const auth = { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' };
      const created = (await (
        await fetch(new URL('/api/hdas', plane.url), { method: 'POST', headers: auth, body: JSON.stringify({ name: 'this-machine', domain: 'local.test' }) })
      ).json()) as { hda: { id: string }; enrollment_code: string };
      const agent = await startLocalAgent({
        server: plane.url,
        stateDir,
        enrollmentCode: created.enrollment_code,
        env: { ...env(), HDA_AGENT_APPS_ROOT: join(stateDir, 'apps'), HDA_AGENT_HEARTBEAT_S: '1' },
        log: (l) => lines.push(l),
      });
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && !lines.some((l) => l.includes('hda-agent running for HDA this-machine'))) await new Promise((r) => setTimeout(r, 200));
      expect(lines.join('\n')).toContain('[agent] enrolled as HDA "this-machine"');
      expect(lines.join('\n')).toContain('hda-agent running for HDA this-machine');
      const facts = await (await fetch(new URL(`/api/hdas/${created.hda.id}`, plane.url), { headers: auth })).text();
      expect(facts).toContain(tb.compose === 'v1' ? '1.29' : '2.26'); // the Compose version among the facts sent at enrollment
      await agent.stop();
      expect(agent.child.exitCode).toBe(0);
      expect(lines.join('\n')).toContain('hda-agent stopped');
      // A second start reuses the enrollment: no code needed.
      const again = await startLocalAgent({
        server: plane.url,
        stateDir,
        env: { ...env(), HDA_AGENT_APPS_ROOT: join(stateDir, 'apps') },
        log: (l) => lines.push(l),
      });
      await again.stop();
    } finally {
      await plane.close();
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
