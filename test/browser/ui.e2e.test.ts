/**
 * The web UI end to end in Debian's Chromium (playwright-core) against the Node entry, with a scripted
 * agent speaking the protocol: log in, add an HDA, enroll, install in one click and watch it reach
 * Finalized, stop, update and roll back, uninstall with confirmation; tenancy; no injected script runs.
 * Screenshots of the main pages at phone and desktop widths land in test-results/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../worker/node-server';
import { commandWorks, requireOrSkip } from '../helpers/requirements';
import { ScriptedAgent } from './scripted-agent';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = requireOrSkip('chromium', commandWorks(CHROMIUM, ['--version']), `Debian chromium not found at ${CHROMIUM}`);

const ADMIN = { email: 'admin@example.com', password: 'admin-password-e2e' };
const OWNER = { email: 'owner@example.com', password: 'owner-password-e2e' };
const OTHER = { email: 'other@example.com', password: 'other-password-e2e' };
const PUBLISHER = { email: 'pub@example.com', password: 'publisher-password-e2e' };
const SHOTS = 'test-results/screenshots';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 860 };
const XSS_DESCRIPTION = '<script>window.__xss = 1; alert("xss")</script><img src=x onerror="window.__xss = 2; alert(2)">';

const COMPOSE = (tag: string) => `services:
  web:
    image: example/hello:${tag}
    container_name: APP_IDENTIFIER
    ports:
      - "HOST_PORT:80"
`;

let plane: ControlPlane;
let browser: Browser;
let agent: ScriptedAgent;
const dialogs: string[] = [];

async function apiAs(creds: { email: string; password: string }) {
  const res = await fetch(`${plane.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(creds) });
  const { token } = (await res.json()) as { token: string };
  return async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${plane.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await r.json()) as any;
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(data)}`);
    return data;
  };
}

async function newPage(viewport = DESKTOP): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport, baseURL: plane.url });
  const page = await ctx.newPage();
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return { ctx, page };
}

async function login(page: Page, creds: { email: string; password: string }, path = '/') {
  await page.goto(path);
  await page.waitForURL(/\/login/);
  await page.fill('input[name=email]', creds.email);
  await page.fill('input[name=password]', creds.password);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

async function shoot(page: Page, name: string) {
  for (const [label, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SHOTS}/${name}-${label}.png`, fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}

/** Waits until the install page (reloaded after its task) shows `state` in the header badge. */
async function waitForInstallState(page: Page, state: string) {
  await page.waitForFunction((s) => document.querySelector('.page-header h1 .badge')?.getAttribute('data-state') === s, state, { timeout: 20_000 });
}

describe.skipIf(!hasChromium)('web UI in Chromium', () => {
  let owner: Page;
  let hdaId = '';
  let installUrl = '';

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    plane = await startControlPlane({ port: 0, adminEmail: ADMIN.email, adminPassword: ADMIN.password, seedCatalog: false, quiet: true });
    const admin = await apiAs(ADMIN);
    await admin('POST', '/api/users', { ...OWNER, role: 'owner' });
    await admin('POST', '/api/users', { ...OTHER, role: 'owner' });
    await admin('POST', '/api/users', { ...PUBLISHER, role: 'publisher' });
    const pub = await apiAs(PUBLISHER);
    await pub('POST', '/api/catalog/apps', { slug: 'hello', name: 'Hello Web', description: 'A tiny web page that says hello.' });
    await pub('POST', '/api/catalog/apps/hello/versions', { version: '1.0', kind: 'container', compose: COMPOSE('1') });
    await pub('POST', '/api/catalog/apps', { slug: 'evil', name: 'Evil <b>App</b>', description: XSS_DESCRIPTION });
    await pub('POST', '/api/catalog/apps/evil/versions', { version: '1.0', kind: 'container', compose: COMPOSE('1') });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    agent = new ScriptedAgent(plane.url);
    owner = (await newPage()).page;
  });

  afterAll(async () => {
    await agent?.stop();
    await browser?.close();
    await plane?.close();
  });

  it('logs in and adds an HDA, showing the one-time enrollment command', async () => {
    await login(owner, OWNER);
    expect(await owner.textContent('h1')).toContain('Your HDAs');
    await owner.fill('form[data-form=create-hda] input[name=name]', 'Living room');
    await owner.fill('form[data-form=create-hda] input[name=domain]', 'home.example.com');
    await owner.click('form[data-form=create-hda] button[type=submit]');
    const command = owner.locator('#enrollment-result [data-fill=command]');
    await command.waitFor({ state: 'visible' });
    const text = (await command.textContent()) ?? '';
    expect(text).toContain(`--server ${plane.url}`);
    const code = /--code ([A-Z0-9-]+)/.exec(text)?.[1];
    expect(code).toMatch(/^[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}$/);
    await shoot(owner, 'dashboard-add-hda');

    await agent.enroll(code!);
    hdaId = agent.hdaId;
    await agent.heartbeat();
    agent.start();
    await owner.goto('/');
    const card = owner.locator(`[data-hda-id="${hdaId}"]`);
    expect(await card.locator('.badge').getAttribute('data-state')).toBe('online');
    expect(await card.locator('.badge').textContent()).toBe('Online');
    const facts = (await card.textContent()) ?? '';
    expect(facts).toContain('26.1.5');
    expect(facts).toContain('8.0 GB');
    expect(facts).toContain('120 GB');
    await shoot(owner, 'dashboard');
  });

  it('installs an app in one click and follows the task live to Finalized', async () => {
    await owner.click(`[data-hda-id="${hdaId}"]`);
    await owner.waitForURL(`**/hdas/${hdaId}`);
    await owner.click('button[data-click=install][data-app=hello]');
    await owner.waitForURL(/\/tasks\/[0-9a-f-]{36}$/);
    // A bar with bytes while the image downloads.
    await owner.waitForSelector('.pull progress', { timeout: 20_000 });
    await owner.waitForFunction(() => document.querySelector('[data-task-state]')?.getAttribute('data-state') === 'succeeded', null, { timeout: 20_000 });
    const panel = (await owner.textContent('[data-task-stream]')) ?? '';
    expect(panel).toContain('Finalized');
    expect(panel).toContain('Download images');
    expect(panel).toContain('48.0 MB of 48.0 MB (100%)');
    expect(await owner.locator('.step.done').count()).toBeGreaterThanOrEqual(6);
    expect(await owner.getAttribute('.pull progress', 'value')).toBe(String(48 * 1024 * 1024));
    expect((await agent.waitForTasks(1)).kind).toBe('install');
    await shoot(owner, 'task');
  });

  it('shows the running app with its link and runtime figures, and stops it', async () => {
    await agent.heartbeat([{ identifier: 'hello', state: 'running', health: 'healthy', cpu_percent: 2.5, memory_bytes: 64 * 1024 * 1024 }]);
    await owner.goto(`/hdas/${hdaId}`);
    const row = owner.locator('.install-row', { hasText: 'Hello Web' });
    expect(await row.locator('a.app-link').getAttribute('href')).toBe('http://hello.home.example.com/');
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('CPU 2.5%');
    expect(rowText).toContain('RAM 64.0 MB');
    await shoot(owner, 'hda');
    await row.locator('a.install-name').click();
    await owner.waitForURL(/\/installs\//);
    installUrl = new URL(owner.url()).pathname;
    await waitForInstallState(owner, 'running');

    // The last lines of the container logs, fetched by a logs task and shown as text.
    await owner.click('button[data-click=logs]');
    await owner.waitForFunction(() => document.querySelector('#logs-view [data-task-state]')?.getAttribute('data-state') === 'succeeded', null, { timeout: 20_000 });
    const log = (await owner.textContent('#logs-view pre.log')) ?? '';
    expect(log).toContain('[hello] GET / 200');
    expect(log).toContain('<script>window.__xss = 3</script>');
    expect((await agent.waitForTasks(2)).kind).toBe('logs');
    await shoot(owner, 'install-logs');
    await waitForInstallState(owner, 'running');
    await owner.click('button[data-click=action][data-action=stop]');
    await owner.waitForURL(/\?task=/);
    await waitForInstallState(owner, 'stopped');
    expect((await agent.waitForTasks(3)).kind).toBe('stop');
  });

  it('updates to a new version and rolls back to the earlier deployment', async () => {
    const pub = await apiAs(PUBLISHER);
    await pub('POST', '/api/catalog/apps/hello/versions', { version: '2.0', kind: 'container', compose: COMPOSE('2') });
    await owner.goto(installUrl);
    await owner.selectOption('form[data-form=update] select[name=version]', '2.0');
    await owner.click('form[data-form=update] button[type=submit]');
    await owner.waitForURL(/\?task=/);
    await owner.waitForFunction(() => /version 2\.0/.test(document.querySelector('.page-header .subtitle')?.textContent ?? ''), null, { timeout: 20_000 });
    await waitForInstallState(owner, 'running');
    expect((await agent.waitForTasks(4)).kind).toBe('update');

    const rollback = owner.locator('button[data-click=rollback][data-version="1.0"]');
    expect(await rollback.count()).toBe(1);
    await rollback.click();
    await owner.waitForFunction(() => /version 1\.0/.test(document.querySelector('.page-header .subtitle')?.textContent ?? ''), null, { timeout: 20_000 });
    const rolled = await agent.waitForTasks(5);
    expect(rolled.kind).toBe('rollback');
    expect(rolled.payload.version?.compose).toContain('example/hello:1');
    const history = (await owner.textContent('table.history')) ?? '';
    expect(history).toContain('Roll back');
    expect(history).toContain('Update');
    expect(history).toContain('you');
    await shoot(owner, 'install');
  });

  it('asks before uninstalling, does nothing on cancel, and uninstalls with purge on confirm', async () => {
    await owner.goto(installUrl);
    await owner.click('button[data-click=uninstall]');
    const dialog = owner.locator('#uninstall-dialog');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.textContent()).toContain('Hello Web');
    await dialog.locator('button[value=cancel]').click();
    await dialog.waitFor({ state: 'hidden' });
    await owner.waitForTimeout(500);
    expect(agent.handled.length).toBe(5);
    expect(owner.url()).not.toContain('task=');

    await owner.click('button[data-click=uninstall]');
    await dialog.locator('input[name=purge]').check();
    await shoot(owner, 'uninstall-confirm');
    await dialog.locator('button[value=confirm]').click();
    await owner.waitForURL(/\?task=/);
    await waitForInstallState(owner, 'removed');
    const task = await agent.waitForTasks(6);
    expect(task.kind).toBe('uninstall');
    expect(task.payload.purge).toBe(true);
    expect(await owner.textContent('main')).toContain('has been uninstalled');
  });

  it("does not show one owner's HDA to another owner", async () => {
    const { ctx, page } = await newPage();
    await login(page, OTHER);
    expect(await page.textContent('main')).not.toContain('Living room');
    const res = await page.goto(`/hdas/${hdaId}`);
    expect(res?.status()).toBe(404);
    expect(await page.textContent('h1')).toContain('Not found');
    expect(await page.textContent('main')).not.toContain('Living room');
    await ctx.close();
  });

  it('does not run a script injected through an app description', async () => {
    await owner.goto('/catalog');
    expect(await owner.textContent('main')).toContain('<script>window.__xss = 1;');
    await owner.goto('/catalog/evil');
    expect(await owner.textContent('.description')).toBe(XSS_DESCRIPTION);
    expect(await owner.textContent('h1')).toContain('Evil <b>App</b>');
    await owner.goto(`/hdas/${hdaId}`);
    await owner.waitForTimeout(300);
    expect(await owner.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it('shows the catalog and publishes from the browser, with findings and refusals', async () => {
    await owner.goto('/catalog?q=hello');
    expect(await owner.locator('.app-card').count()).toBe(1);
    await shoot(owner, 'catalog');
    await owner.goto('/catalog/hello');
    await shoot(owner, 'catalog-app');

    const { ctx, page } = await newPage();
    await login(page, PUBLISHER, '/publish');
    await page.fill('input[name=slug]', 'notes');
    await page.fill('input[name=name]', 'Notes');
    await page.fill('textarea[name=description]', 'A note-taking app.');
    await page.fill('input[name=version]', '1.0');
    await page.check('input[name=source_kind][value=compose]');
    await page.fill('textarea[name=source]', COMPOSE('1').replace('    ports:', '    privileged: true\n    ports:'));
    await page.click('form[data-form=publish] button[type=submit]');
    await page.locator('#publish-result').waitFor({ state: 'visible' });
    const result = (await page.textContent('#publish-result')) ?? '';
    expect(result).toContain('Needs review');
    expect(result).toContain('privileged');
    expect(result).toContain('image: "example/hello:1"');
    await shoot(page, 'publish');

    await page.fill('input[name=version]', '1.1');
    await page.fill('textarea[name=source]', 'services: [');
    await page.click('form[data-form=publish] button[type=submit]');
    const err = page.locator('form[data-form=publish] .form-error');
    await err.waitFor({ state: 'visible' });
    expect(await err.textContent()).toContain('not valid YAML');
    expect(await err.locator('.finding').count()).toBeGreaterThan(0);
    await shoot(page, 'publish-refused');
    await ctx.close();
  });
});
