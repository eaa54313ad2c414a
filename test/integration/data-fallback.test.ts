/**
 * The way back from a failed rollback and a failed blue/green switch leaves the data as it was before
 * the click, on the real testbed (Docker, Compose, Apache, restic). The app is the stand-in
 * "database" whose version 2 migrates its data and version 1 refuses migrated data.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppVersionContent, ClaimedTask, SnapshotReport, TaskResultInput } from '../../core/protocol';
import { createHarness, DOMAIN, projectContainers, run, task, uniqueId, version, type Harness } from '../helpers/agent-harness';
import { commandWorks, requireOrSkip } from '../helpers/requirements';
import { freePort, getThroughApache, probeTestbed, removeComposeProject } from '../helpers/testbed';

const probe = probeTestbed();
const available =
  requireOrSkip('agent testbed (Docker, Compose, Apache)', probe.ok, probe.ok ? '' : probe.reason) &&
  requireOrSkip('restic', commandWorks('restic', ['version']), 'not installed (test/testbed/up.sh installs it)');

/** The stand-in database at `format`; `failAfterMigrate` makes it exit once its data is in its format. */
function dbCompose(registry: string, format: 1 | 2, o: { failAfterMigrate?: boolean; zeroDowntime?: boolean } = {}): string {
  const fail = o.failAfterMigrate ? '      STANDIN_FAIL_AFTER_MIGRATE: "1"\n' : '';
  if (o.zeroDowntime)
    return `services:
  web:
    image: ${registry}/hda-standin/db:${format}
    init: true
    labels:
      org.amahi.hda.zero-downtime: "true"
    ports:
      - "HOST_PORT:80"
    environment:
      STANDIN_DATA_DIRS: "/data"
${fail}    volumes:
      - ./data:/data
`;
  return `services:
  web:
    image: ${registry}/hda-standin/db:${format}
    container_name: APP_IDENTIFIER
    restart: "no"
    init: true
    ports:
      - "HOST_PORT:80"
    environment:
      STANDIN_DATA_DIRS: "/data /vol"
${fail}    volumes:
      - ./data:/data
      - dbvol:/vol
volumes:
  dbvol: {}
`;
}

describe.skipIf(!available)('failed rollback and failed switch: the data as before the click', () => {
  let h: Harness;
  const ids = { rb: uniqueId('rbdata'), bg: uniqueId('bgdata') };
  const v: Record<string, AppVersionContent> = {};
  const ports = { rb: 0, bg: 0 };
  const dataFile = (id: string, name: string) => join(h.config.appsRoot, id, 'data', name);
  const explain = (t: ClaimedTask) =>
    `${h.client.results.get(t.id)?.detail}\n${(h.client.events.get(t.id) ?? []).map((e) => `${e.step ?? '-'} ${e.status} ${e.message}`).join('\n')}`;
  const runTask = async (t: ClaimedTask, expected: 'succeeded' | 'failed' = 'succeeded') => {
    expect(await run(h, t), explain(t)).toBe(expected);
    return h.client.results.get(t.id) as TaskResultInput;
  };
  const previous = async (key: string) => ({ previous: { deployment_id: `dep-${key}`, version: v[key], signature: await h.sign(v[key]) } });
  const running = async (project: string) => (await projectContainers(h.docker, project)).map((c) => `${c.Image} ${c.State}`);

  beforeAll(async () => {
    if (!probe.ok) return;
    h = await createHarness(probe.testbed, { 'health-timeout': '20', 'switch-drain': '1' });
    ports.rb = await freePort();
    ports.bg = await freePort();
    const reg = probe.testbed.registry;
    v.one = version(dbCompose(reg, 1), { version: '1' });
    v.oneBroken = version(dbCompose(reg, 1, { failAfterMigrate: true }), { version: '1-broken' });
    v.two = version(dbCompose(reg, 2), { version: '2' });
    v.bgOne = version(dbCompose(reg, 1, { zeroDowntime: true }), { version: '1' });
    v.bgTwoBroken = version(dbCompose(reg, 2, { zeroDowntime: true, failAfterMigrate: true }), { version: '2-broken' });
  });
  afterAll(async () => {
    if (!h) return;
    await removeComposeProject(h.docker, `${ids.bg}_b`);
    await h.cleanup();
    await h.docker
      .getVolume(`${ids.rb}_dbvol`)
      .remove()
      .catch(() => undefined);
  });

  it('a rollback with its data that fails after its restore goes back to the data before the click, not the restored data', async () => {
    const id = ids.rb;
    await runTask(await task(h, 'install', id, ports.rb, v.one));
    writeFileSync(dataFile(id, 'rows'), 'rows written under version 1\n');
    const up = await runTask(await task(h, 'update', id, ports.rb, v.two, await previous('one')));
    const beforeTwo = up.snapshots?.[0] as SnapshotReport;
    writeFileSync(dataFile(id, 'rows'), 'rows written under version 2\n');

    // Back to a deployment of version 1 with its data as of then; that deployment fails its start.
    const t = await task(h, 'rollback', id, ports.rb, v.oneBroken, { restore_snapshot: { id: beforeTwo.id }, ...(await previous('two')) });
    const r = await runTask(t, 'failed');
    expect(r.step, explain(t)).toBe('health');
    const beforeClick = r.snapshots?.[0] as SnapshotReport;
    expect(beforeClick.reason).toBe('rollback');
    // Its own restore ran (the version 1 data came back) before the start failed...
    expect(explain(t)).toContain(`restored snapshot ${beforeTwo.id.slice(0, 8)}`);
    // ...and the way back restored the snapshot taken before the click, not that one again.
    expect(r.restored_snapshot, explain(t)).toBe(beforeClick.id);
    expect(r.detail).toContain(`rolled back to 2 with its data as of snapshot ${beforeClick.id.slice(0, 8)}`);
    expect(await running(id)).toEqual([expect.stringMatching(/hda-standin\/db:2 running$/)]);
    expect(readFileSync(dataFile(id, 'format'), 'utf8').trim()).toBe('2');
    expect(readFileSync(dataFile(id, 'rows'), 'utf8')).toBe('rows written under version 2\n');
  });

  it('a blue/green switch whose new slot migrated the shared data and failed puts the data back and the old slot serves on it', async () => {
    const id = ids.bg;
    await runTask(await task(h, 'install', id, ports.bg, v.bgOne));
    writeFileSync(dataFile(id, 'rows'), 'rows before the switch\n');
    const t = await task(h, 'update', id, ports.bg, v.bgTwoBroken, await previous('bgOne'));
    const r = await runTask(t, 'failed');
    expect(explain(t)).toMatch(/zero-downtime switch/);
    expect(explain(t)).toMatch(/migrated the data to format 2/);
    const before = r.snapshots?.[0] as SnapshotReport;
    expect(r.restored_snapshot, explain(t)).toBe(before.id);
    expect(r.detail).toContain(`the shared data was put back as of snapshot ${before.id.slice(0, 8)}`);
    expect(readFileSync(dataFile(id, 'format'), 'utf8').trim()).toBe('1');
    expect(readFileSync(dataFile(id, 'rows'), 'utf8')).toBe('rows before the switch\n');
    // The old slot was stopped for the restore and serves again on the data it can read; the new slot is gone.
    expect(await running(id)).toEqual([expect.stringMatching(/hda-standin\/db:1 running$/)]);
    expect(await projectContainers(h.docker, `${id}_b`)).toEqual([]);
    expect((await getThroughApache(h.tb, `${id}.${DOMAIN}`)).body).toContain('Stand-in for db');
  });
});
