/**
 * Off-HDA backups in Chromium against the Node entry, with scripted agents holding real sealing keys:
 * the owner fills the repository form and only a sealed box reaches the server (request body and the
 * database files hold no plaintext), the HDA's key opens it; the recovery key is shown once and not
 * after a reload; "Back up now" follows the run with a progress bar; "Add HDA" as a replacement waits
 * for the enrollment, takes the pasted recovery key and follows each moved app's restore with a bar.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRecoveryKey } from '../../core/backup/recovery';
import { exportPublicJwk, newSealingKeyPair, open, type SealedBox } from '../../core/backup/seal';
import { startControlPlane, type ControlPlane } from '../../worker/node-server';
import { apiAs, hasChromium as chromiumPresent, launchChromium, login, newPage } from './browser-kit';
import { ScriptedAgent } from './scripted-agent';

const hasChromium = chromiumPresent();

const ADMIN = { email: 'admin@example.com', password: 'admin-password-e2e' };
const OWNER = { email: 'owner@example.com', password: 'owner-password-e2e' };
const SECRETS = {
  repository: 'rest:https://backup.example.com/e2e-repo-path',
  password: 'correct-horse-battery-staple-42',
  env: { AWS_ACCESS_KEY_ID: 'AKIAE2EPLAINTEXTID' },
};
const PLAINTEXT = [SECRETS.repository, 'e2e-repo-path', SECRETS.password, SECRETS.env.AWS_ACCESS_KEY_ID];
const COMPOSE = 'services:\n  web:\n    image: example/hello:1\n    container_name: APP_IDENTIFIER\n    ports:\n      - "HOST_PORT:80"\n';

/** A scripted agent with a real sealing key pair, as the real agent holds (agent/backup/hda-key.ts). */
async function keyedAgent(url: string) {
  const agent = new ScriptedAgent(url);
  const keys = await newSealingKeyPair();
  return { agent, keys, publicJwk: await exportPublicJwk(keys.publicKey) };
}

/** Every byte the control plane keeps on disk (the database and its write-ahead log). */
function storedBytes(dir: string): string {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('\n');
}

describe.skipIf(!hasChromium)('off-HDA backups in Chromium', () => {
  let plane: ControlPlane;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  let old: Awaited<ReturnType<typeof keyedAgent>>;
  let fresh: Awaited<ReturnType<typeof keyedAgent>> | undefined;
  let recoveryKey = '';
  const dialogs: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'backup-ui-'));
    plane = await startControlPlane({ port: 0, dataDir, adminEmail: ADMIN.email, adminPassword: ADMIN.password, seedCatalog: false, quiet: true });
    const admin = await apiAs(plane.url, ADMIN);
    await admin('POST', '/api/users', { ...OWNER, role: 'owner' });
    await admin('POST', '/api/catalog/apps', { slug: 'hello', name: 'Hello Web', description: 'Says hello.' });
    await admin('POST', '/api/catalog/apps/hello/versions', { version: '1.0', kind: 'container', compose: COMPOSE });
    const owner = await apiAs(plane.url, OWNER);
    const made = await owner('POST', '/api/hdas', { name: 'Old server', domain: 'home.example.com' });
    old = await keyedAgent(plane.url);
    await old.agent.enroll(made.enrollment_code);
    await old.agent.heartbeat([], undefined, { backup_key: old.publicJwk });
    old.agent.start();
    await owner('POST', `/api/hdas/${old.agent.hdaId}/installs`, { app: 'hello' });
    await old.agent.waitForTasks(1);
    browser = await launchChromium();
    page = (await newPage(browser, plane.url, dialogs)).page;
    await login(page, OWNER);
  });

  afterAll(async () => {
    await old?.agent.stop();
    await fresh?.agent.stop();
    await browser?.close();
    await plane?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('seals the repository settings in the browser: the server gets and keeps ciphertext only', async () => {
    await page.goto(`/hdas/${old.agent.hdaId}`);
    await page.click('details.backup-setup summary');
    const form = page.locator('form[data-form=backup-plan]');
    await form.locator('input[name=repository]').fill(SECRETS.repository);
    await form.locator('input[name=repository_label]').fill('E2E bucket');
    await form.locator('input[name=password]').fill(SECRETS.password);
    await form.locator('textarea[name=env]').fill(`AWS_ACCESS_KEY_ID=${SECRETS.env.AWS_ACCESS_KEY_ID}`);
    const put = page.waitForRequest((r: Request) => r.method() === 'PUT' && r.url().endsWith(`/api/hdas/${old.agent.hdaId}/backup`));
    await form.locator('button[type=submit]').click();
    const body = (await put).postData() ?? '';
    for (const secret of PLAINTEXT) expect(body).not.toContain(secret);
    const sealed = JSON.parse(body).sealed as SealedBox;
    // The HDA's private key opens what the browser sealed: the very settings typed in.
    expect(JSON.parse(await open(old.keys.privateKey, sealed))).toEqual(SECRETS);

    const shown = page.locator('#recovery-key [data-fill=recovery-key]');
    await shown.waitFor({ state: 'visible' });
    recoveryKey = ((await shown.textContent()) ?? '').trim();
    expect(decodeRecoveryKey(recoveryKey)).toEqual(SECRETS);
    await old.agent.waitForTasks(2);
    expect(old.agent.sealed).toEqual([sealed]);
    const stored = storedBytes(dataDir);
    expect(stored).toContain('E2E bucket'); // the plan is in these files: the search below looks in the right place
    for (const secret of [...PLAINTEXT, recoveryKey]) expect(stored).not.toContain(secret);
  });

  it('shows the recovery key once: a reload does not show it again', async () => {
    await page.reload();
    await page.locator('[data-backup-health]').waitFor({ state: 'visible' });
    expect(await page.locator('#recovery-key').isHidden()).toBe(true);
    expect(await page.content()).not.toContain(recoveryKey);
    expect(await page.textContent('[data-backup-health]')).toContain('E2E bucket');
  });

  it('follows "Back up now" with a progress bar in percent and bytes', async () => {
    await page.click('[data-click=backup-run]');
    const bar = page.locator('[data-kind=backup-run] [data-progress=hello]');
    await bar.waitFor({ state: 'visible' });
    await page.waitForFunction(() => document.querySelector<HTMLProgressElement>('[data-kind=backup-run] [data-progress=hello] progress')?.value === 1);
    expect(await bar.textContent()).toContain('100% · 24.0 MB of 24.0 MB');
    await page.locator('[data-kind=backup-run] [data-task-state][data-state=succeeded]').waitFor();
  });

  it('replaces the HDA from "Add HDA": enrollment, recovery key, each app followed with a bar', async () => {
    await old.agent.stop(); // the dead HDA
    await page.goto('/');
    const form = page.locator('form[data-form=create-hda]');
    await form.locator('input[name=name]').fill('New server');
    await form.locator('select[name=replaces]').selectOption(old.agent.hdaId);
    // The replacement serves the same names: the domain follows the choice.
    expect(await form.locator('input[name=domain]').inputValue()).toBe('home.example.com');
    const created = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/api/hdas'));
    await form.locator('button[type=submit]').click();
    const { enrollment_code } = (await (await created).json()) as { enrollment_code: string };
    await page.locator('#replacement-flow [data-replacement-status]').waitFor({ state: 'visible' });

    fresh = await keyedAgent(plane.url);
    await fresh.agent.enroll(enrollment_code);
    await fresh.agent.heartbeat([], undefined, { backup_key: fresh.publicJwk });
    fresh.agent.start();
    const paste = page.locator('form[data-form=replace-with-key]');
    await paste.waitFor({ state: 'visible', timeout: 15_000 });
    const put = page.waitForRequest((r: Request) => r.method() === 'PUT' && r.url().endsWith(`/api/hdas/${fresh?.agent.hdaId}/backup`));
    await paste.locator('textarea[name=recovery_key]').fill(recoveryKey);
    await paste.locator('button[type=submit]').click();
    const body = (await put).postData() ?? '';
    for (const secret of [...PLAINTEXT, recoveryKey]) expect(body).not.toContain(secret);
    expect(JSON.parse(await open(fresh.keys.privateKey, JSON.parse(body).sealed))).toEqual(SECRETS);

    const app = page.locator('#replacement-flow [data-app=hello]');
    await app.waitFor({ state: 'visible', timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector<HTMLProgressElement>('[data-app=hello] [data-progress=hello] progress')?.value === 1);
    expect(await app.locator('[data-progress=hello]').textContent()).toContain('100%');
    await app.locator('[data-task-state][data-state=succeeded]').waitFor({ timeout: 15_000 });
    const owner = await apiAs(plane.url, OWNER);
    const { installs } = await owner('GET', `/api/hdas/${fresh.agent.hdaId}`);
    expect(installs.map((i: { identifier: string }) => i.identifier)).toEqual(['hello']);
    expect((await owner('GET', `/api/hdas/${old.agent.hdaId}`)).hda.status).toBe('revoked');
    expect(dialogs).toEqual([]);
  });
});
