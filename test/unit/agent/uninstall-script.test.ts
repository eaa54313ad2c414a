/**
 * The down step of an uninstall with the catalog's uninstall script: its parsed steps run only after
 * the version's signature verifies again; `docker-compose down` is the agent's own down, which runs
 * in every case; a step the agent does not support stops the uninstall with its line.
 */
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseUninstallScript } from '../../../core/catalog/script';
import { generateSigningKey, signVersion } from '../../../core/catalog/signing';
import type { AppVersionContent } from '../../../core/protocol';
import { loadConfig } from '../../../agent/config';
import { downStep } from '../../../agent/executor/down';
import { StepFailure, type ExecutorDeps, type StepContext } from '../../../agent/executor/types';
import { silentLogger } from '../../../agent/log';
import { fakeTask } from '../../helpers/fake-protocol';

async function setup(uninstallScript: string | null) {
  const key = await generateSigningKey('ES256');
  const root = mkdtempSync(join(tmpdir(), 'hda-uninstall-'));
  const appDir = join(root, 'radarr');
  mkdirSync(join(appDir, 'data'), { recursive: true, mode: 0o755 });
  writeFileSync(join(appDir, 'docker-compose.yml'), 'services: {}\n');
  const version: AppVersionContent = {
    app: 'radarr',
    version: '1.0',
    kind: 'container',
    compose: 'services: {}\n',
    files: {},
    steps: [],
    ...(uninstallScript ? { uninstall_steps: parseUninstallScript(uninstallScript).steps } : {}),
  };
  const signature = await signVersion(version, key.privateJwk as JWK, key.kid);
  const downs: string[] = [];
  const notes: string[] = [];
  const fakeDocker = { listContainers: async () => [], listNetworks: async () => [] };
  const deps = {
    config: loadConfig({ 'apps-root': root }, {}),
    log: silentLogger,
    docker: { docker: async () => fakeDocker, reset() {}, socketPath: '/var/run/docker.sock' },
    compose: { down: async (p: { project: string }) => void downs.push(p.project) },
    pinnedKeys: () => ({ keys: [key.publicJwk] }),
  } as unknown as ExecutorDeps;
  const ctx = (v: AppVersionContent = version): StepContext => ({
    task: fakeTask(),
    deps,
    signal: new AbortController().signal,
    work: {
      identifier: 'radarr',
      appDir,
      version: v,
      signature,
      made: { target: { composeFile: join(appDir, 'docker-compose.yml'), project: 'radarr', hostPort: 35001, slot: 'a' } },
      secrets: {},
    },
    report: { ok: (m) => notes.push(`OK ${m}`), warn: (m) => notes.push(`Warning ${m}`), progress: () => {} },
  });
  return { ctx, version, downs, notes, appDir, key };
}

describe('uninstall script in the down step', () => {
  it('verifies the version, runs the script steps in the app folder, then compose down', async () => {
    const { ctx, downs, notes, appDir, key } = await setup('# keep the data private\ndocker-compose down\nchmod 700 data\n');
    expect(await downStep.run(ctx())).toBe('ran the uninstall script (2 step(s)), no containers of project radarr were left');
    expect(notes).toEqual([
      `OK uninstall script: signed by key ${key.kid}`,
      'OK uninstall script line 2: compose-down is done by the agent itself',
      'OK uninstall script line 3: chmod 700 data',
    ]);
    expect(statSync(join(appDir, 'data')).mode & 0o777).toBe(0o700);
    expect(downs).toEqual(['radarr']);
  });

  it('without an uninstall script: compose down only', async () => {
    const { ctx, downs, notes } = await setup(null);
    expect(await downStep.run(ctx())).toBe('no containers of project radarr were left');
    expect(notes).toEqual([]);
    expect(downs).toEqual(['radarr']);
  });

  it('a script whose signature does not verify is not run; compose down still removes the app', async () => {
    const { ctx, version, downs, notes, appDir } = await setup('chmod 700 data\n');
    const altered = { ...version, uninstall_steps: parseUninstallScript('chmod 777 data\n').steps };
    expect(await downStep.run(ctx(altered))).toBe('no containers of project radarr were left');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^Warning the uninstall script is not run: the signature by key "[^"]+" is valid but covers different content/);
    expect(statSync(join(appDir, 'data')).mode & 0o777).toBe(0o755);
    expect(downs).toEqual(['radarr']);
  });

  it('an unsupported step stops the uninstall with its line, before compose down', async () => {
    const { ctx, downs } = await setup('docker-compose down\nrm -rf /var/lib/mysql/radarr\n');
    const err = await downStep.run(ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailure);
    expect((err as Error).message).toBe(
      'uninstall script step failed: line 2 (rm): is not a supported step; the app version needs review: rm -rf /var/lib/mysql/radarr',
    );
    expect(downs).toEqual([]);
  });
});
