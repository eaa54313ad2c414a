/**
 * Per-install secrets on real Docker and Compose (TESTBED_COMPOSE picks v1 or v2): generated once,
 * the same value in the container through an update and a rollback, and never in anything the
 * control plane received (events, results with rendered_compose).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppVersionContent, ClaimedTask } from '../../core/protocol';
import { SecretStore } from '../../agent/secrets';
import { requireOrSkip } from '../helpers/requirements';
import { freePort, probeTestbed } from '../helpers/testbed';
import { createHarness, projectContainers, run, standinCompose, task, uniqueId, version, type Harness } from '../helpers/agent-harness';

const probe = probeTestbed();
const available = requireOrSkip('agent testbed (Docker, Compose, Apache)', probe.ok, probe.ok ? '' : probe.reason);

describe.skipIf(!available)('per-install secrets through install, update and rollback', () => {
  let h: Harness;
  const id = uniqueId('sec');
  let port: number;
  const versions: Record<string, AppVersionContent> = {};
  const tasks: ClaimedTask[] = [];
  const env = `    environment:\n      DB_PASSWORD: APP_SECRET_DB\n      DB_URL: postgres://app:APP_SECRET_DB@db/app\n`;
  const mustRun = async (t: ClaimedTask) => {
    tasks.push(t);
    const outcome = await run(h, t);
    expect(outcome, (h.client.events.get(t.id) ?? []).map((e) => `${e.step ?? '-'} ${e.status} ${e.message}`).join('\n')).toBe('succeeded');
  };
  const containerEnv = async () => {
    const [c] = await projectContainers(h.docker, id);
    return (await h.docker.getContainer(c.Id).inspect()).Config.Env;
  };
  const stored = () => new SecretStore(h.config.stateDir).load(id);

  beforeAll(async () => {
    if (!probe.ok) return;
    h = await createHarness(probe.testbed);
    port = await freePort();
    versions.a = version(standinCompose(h.tb.standinImage, env), { version: '1.0', secrets: ['DB'] });
    // 1.1 lists no names (found in the compose) and adds one.
    versions.b = version(standinCompose(h.tb.standinImage, `${env}      ADMIN_KEY: APP_SECRET_ADMIN\n`), { version: '1.1' });
  });
  afterAll(async () => h?.cleanup());

  it('install generates the value once, keeps it 0600 in the state dir, and the container gets it', async () => {
    await mustRun(await task(h, 'install', id, port, versions.a));
    const values = stored();
    expect(values.DB).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(statSync(join(h.config.stateDir, 'secrets', `${id}.json`)).mode & 0o777).toBe(0o600);
    expect(await containerEnv()).toEqual(expect.arrayContaining([`DB_PASSWORD=${values.DB}`, `DB_URL=postgres://app:${values.DB}@db/app`]));
  });

  it('update keeps the value and generates only the new name; rollback keeps both', async () => {
    const first = stored().DB;
    await mustRun(
      await task(h, 'update', id, port, versions.b, { previous: { deployment_id: 'dep-a', version: versions.a, signature: await h.sign(versions.a) } }),
    );
    expect(stored().DB).toBe(first);
    expect(stored().ADMIN).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(await containerEnv()).toEqual(expect.arrayContaining([`DB_PASSWORD=${first}`, `ADMIN_KEY=${stored().ADMIN}`]));
    await mustRun(
      await task(h, 'rollback', id, port, versions.a, { previous: { deployment_id: 'dep-b', version: versions.b, signature: await h.sign(versions.b) } }),
    );
    expect(stored().DB).toBe(first);
    expect(await containerEnv()).toContain(`DB_PASSWORD=${first}`);
    await mustRun(await task(h, 'restart', id, port));
    expect(await containerEnv()).toContain(`DB_PASSWORD=${first}`);
  });

  it('nothing the control plane received carries a value: events, results and rendered_compose keep the placeholder', () => {
    const sent = JSON.stringify(tasks.map((t) => [h.client.events.get(t.id), h.client.results.get(t.id)]));
    for (const v of Object.values(stored())) expect(sent).not.toContain(v);
    expect(h.client.results.get(tasks[0].id)!.rendered_compose).toContain('DB_PASSWORD: APP_SECRET_DB');
    // The file Compose ran holds the value, and only root can read it.
    const file = join(h.config.stateDir, 'compose', id, 'docker-compose.yml');
    expect(readFileSync(file, 'utf8')).toContain(stored().DB);
  });

  it('uninstall keeps the secrets with the data folder; purge deletes them', async () => {
    await mustRun(await task(h, 'uninstall', id, port));
    expect(stored().DB).toMatch(/^[A-Za-z0-9]{32}$/);
    await mustRun(await task(h, 'uninstall', id, port, undefined, { purge: true }));
    expect(stored()).toEqual({});
  });
});
