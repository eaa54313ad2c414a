import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { endorseKey } from '../../../core/catalog/key-rotation';
import { generateSigningKey, signVersion } from '../../../core/catalog/signing';
import type { AppVersionContent } from '../../../core/protocol';
import { loadConfig } from '../../../agent/config';
import { verifyStep } from '../../../agent/executor/verify';
import { StepFailure, type ExecutorDeps, type StepContext } from '../../../agent/executor/types';
import { refreshPinnedKeys } from '../../../agent/keys';
import { silentLogger } from '../../../agent/log';
import { StateDir } from '../../../agent/state';
import { fakeTask } from '../../helpers/fake-protocol';

const content: AppVersionContent = { app: 'radarr', version: '2.0', kind: 'container', compose: 'services: {}\n', files: {}, steps: [] };

async function setup(endorsedBy: 'old' | 'stranger') {
  const oldKey = await generateSigningKey('ES256');
  const newKey = await generateSigningKey('ES256');
  const stranger = await generateSigningKey('ES256');
  const endorsement = await endorseKey(newKey.publicJwk, (endorsedBy === 'old' ? oldKey : stranger).privateJwk as JWK);
  const state = new StateDir(mkdtempSync(join(tmpdir(), 'hda-verify-')));
  state.ensure();
  state.savePinnedKeys({ keys: [oldKey.publicJwk as Record<string, unknown>] });
  const served = { keys: [oldKey.publicJwk, newKey.publicJwk], endorsements: { [newKey.kid]: endorsement } };
  const fakeFetch = (async () => new Response(JSON.stringify(served), { headers: { 'content-type': 'application/json' } })) as typeof fetch;
  const notes: string[] = [];
  const deps = {
    config: loadConfig({}, {}),
    log: silentLogger,
    pinnedKeys: () => state.pinnedKeys(),
    refreshKeys: () => refreshPinnedKeys('http://control.test/', state, fakeFetch),
  } as unknown as ExecutorDeps;
  const ctx = (signature: string, version = content): StepContext => ({
    task: fakeTask(),
    deps,
    signal: new AbortController().signal,
    work: {
      identifier: 'radarr',
      appDir: '/var/hda/web-apps/radarr',
      version,
      signature,
      made: { target: { composeFile: '/var/hda/web-apps/radarr/docker-compose.yml', project: 'radarr', hostPort: 35001, slot: 'a' } },
      secrets: {},
    },
    report: { ok: (m) => notes.push(m), warn: (m) => notes.push(m), progress: () => {} },
  });
  return { oldKey, newKey, state, ctx, notes };
}

describe('verify step', () => {
  it('accepts a version signed by a pinned key', async () => {
    const { oldKey, ctx } = await setup('old');
    const jws = await signVersion(content, oldKey.privateJwk as JWK, oldKey.kid);
    expect(await verifyStep.run(ctx(jws))).toBe(`signed by key ${oldKey.kid}`);
  });

  it('pins a rotated key endorsed by the pinned one, then accepts versions it signed', async () => {
    const { newKey, state, ctx, notes } = await setup('old');
    const jws = await signVersion(content, newKey.privateJwk as JWK, newKey.kid);
    expect(await verifyStep.run(ctx(jws))).toBe(`signed by key ${newKey.kid}`);
    expect(state.pinnedKeys().keys.map((k) => k.kid)).toContain(newKey.kid);
    expect(notes.join('\n')).toMatch(/pinned rotated catalog key/);
  });

  it('refuses a new key that no pinned key endorsed', async () => {
    const { newKey, state, ctx } = await setup('stranger');
    const jws = await signVersion(content, newKey.privateJwk as JWK, newKey.kid);
    await expect(verifyStep.run(ctx(jws))).rejects.toThrow(StepFailure);
    await expect(verifyStep.run(ctx(jws))).rejects.toThrow(/not among the pinned publisher keys/);
    expect(state.pinnedKeys().keys).toHaveLength(1);
  });

  it('refuses an altered version and an unsigned one', async () => {
    const { oldKey, ctx } = await setup('old');
    const jws = await signVersion(content, oldKey.privateJwk as JWK, oldKey.kid);
    await expect(verifyStep.run(ctx(jws, { ...content, compose: 'services: {x: {privileged: true}}\n' }))).rejects.toThrow(
      /different content|does not verify|altered/,
    );
    await expect(verifyStep.run(ctx(''))).rejects.toThrow(/not signed/);
  });
});
