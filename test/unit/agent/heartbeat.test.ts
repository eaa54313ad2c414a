import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DockerProvider } from '../../../agent/docker/client';
import { Heartbeat } from '../../../agent/heartbeat';
import { InstallRegistry } from '../../../agent/installs';
import { silentLogger } from '../../../agent/log';
import { MetricsWindows } from '../../../agent/metrics';
import { METRICS_WINDOW_S } from '../../../core/protocol';
import { FakeProtocolClient } from '../../helpers/fake-protocol';

function setup(intervalS: number, extra: { metrics?: MetricsWindows; now?: () => number } = {}) {
  const client = new FakeProtocolClient();
  const installs = new InstallRegistry(mkdtempSync(join(tmpdir(), 'hda-hb-')));
  installs.put({
    identifier: 'radarr',
    install_id: 'i1',
    hostname: 'radarr.home.test',
    host_port: 35001,
    domain: 'home.test',
    app: 'radarr',
    version: '1',
    app_dir: '/var/hda/web-apps/radarr',
    desired: 'running',
  });
  const containers = [{ Id: 'c1', State: 'running', Status: 'Up 3 minutes (healthy)', Labels: {} }];
  const fakeDocker = {
    listContainers: async () => containers,
    getContainer: () => ({
      stats: async () => ({
        cpu_stats: { cpu_usage: { total_usage: 300 }, system_cpu_usage: 2000, online_cpus: 2 },
        precpu_stats: { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 },
        memory_stats: { usage: 50_000_000, stats: { inactive_file: 10_000_000 } },
      }),
    }),
  };
  const docker = { docker: async () => fakeDocker, reset() {} } as unknown as DockerProvider;
  const hb = new Heartbeat({ client, docker, installs, facts: async () => ({ agent_version: 'test', cpus: 2 }), intervalS, log: silentLogger, ...extra });
  return { client, hb, containers };
}

describe('heartbeat', () => {
  it("reports facts and each app's state, health, CPU and memory", async () => {
    const { client, hb } = setup(30);
    await hb.beat();
    hb.stop();
    expect(client.heartbeats).toHaveLength(1);
    expect(client.heartbeats[0].facts).toMatchObject({ agent_version: 'test' });
    expect(client.heartbeats[0].apps).toEqual([
      { identifier: 'radarr', state: 'running', health: 'healthy', cpu_percent: 40, memory_bytes: 40_000_000, live_port: 35001 },
    ]);
  });

  it('beats at start, on its interval, and at once (debounced) after a change', async () => {
    const { client, hb, containers } = setup(0.3);
    hb.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(client.heartbeats).toHaveLength(1);
    containers[0].State = 'exited';
    hb.trigger(10);
    hb.trigger(10);
    await new Promise((r) => setTimeout(r, 80));
    expect(client.heartbeats).toHaveLength(2);
    expect(client.heartbeats[1].apps![0].state).toBe('stopped');
    await new Promise((r) => setTimeout(r, 400));
    hb.stop();
    expect(client.heartbeats.length).toBeGreaterThanOrEqual(3);
    const n = client.heartbeats.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(client.heartbeats).toHaveLength(n);
  });

  it('survives an unreachable control plane', async () => {
    const { client, hb } = setup(30);
    client.down = true;
    await expect(hb.beat()).resolves.toBeUndefined();
    hb.stop();
  });
  it('sends closed 5-minute windows with a heartbeat, and keeps them while the control plane is away', async () => {
    let now = Date.UTC(2025, 0, 1, 12, 0, 10);
    const { client, hb } = setup(30, { metrics: new MetricsWindows(), now: () => now });
    await hb.beat();
    expect(client.heartbeats[0].metrics).toBeUndefined(); // the window is still open
    now += METRICS_WINDOW_S * 1000;
    client.down = true;
    await hb.beat(); // closes the first window, but cannot deliver it
    client.down = false;
    await hb.beat();
    hb.stop();
    expect(client.heartbeats).toHaveLength(2);
    expect(client.heartbeats[1].metrics).toEqual([
      { identifier: 'radarr', at: '2025-01-01T12:00:00.000Z', cpu_avg: 40, cpu_max: 40, memory_avg: 40_000_000, memory_max: 40_000_000, samples: 1 },
    ]);
    await hb.beat();
    expect(client.heartbeats[2].metrics).toBeUndefined(); // delivered once
  });
});
