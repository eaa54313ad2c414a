/**
 * The web UI end to end in Debian's Chromium (playwright-core) against the Node entry, with scripted
 * agents speaking the protocol: log in, add an HDA (it appears at once), enroll, install in one click
 * and watch it reach Finalized, logs (stdout and stderr apart, and a follow), stop, update and roll
 * back, usage charts from heartbeat metrics, limits that queue a re-deploy (found again after a
 * reload), uninstall with confirmation; tenancy; no injected script runs; preview then publish; a
 * fleet deployment across two agents followed to the end; prune, a new enrollment code and revoke.
 * Screenshots of the pages at phone and desktop widths land in test-results/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../worker/node-server';
import { apiAs as apiAt, DESKTOP, hasChromium as chromiumPresent, launchChromium, login, newPage as openPage, SHOTS, shoot } from './browser-kit';
import { ScriptedAgent } from './scripted-agent';
import { ofKind } from '../helpers/task-kind';

const hasChromium = chromiumPresent();

const ADMIN = { email: 'admin@example.com', password: 'admin-password-e2e' };
const OWNER = { email: 'owner@example.com', password: 'owner-password-e2e' };
const OTHER = { email: 'other@example.com', password: 'other-password-e2e' };
const PUBLISHER = { email: 'pub@example.com', password: 'publisher-password-e2e' };
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
let agent2: ScriptedAgent | undefined;
const dialogs: string[] = [];

const apiAs = (creds: { email: string; password: string }) => apiAt(plane.url, creds);
const newPage = (viewport = DESKTOP) => openPage(browser, plane.url, dialogs, viewport);

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
    browser = await launchChromium();
    agent = new ScriptedAgent(plane.url);
    owner = (await newPage()).page;
  });

  afterAll(async () => {
    await agent?.stop();
    await agent2?.stop();
    await browser?.close();
    await plane?.close();
  });

  it('logs in and adds an HDA, showing the one-time enrollment command', async () => {
    await login(owner, OWNER);
    expect(await owner.textContent('h1')).toContain('Your HDAs');
    await owner.fill('form[data-form=create-hda] input[name=name]', 'Living room');
    await owner.fill('form[data-form=create-hda] input[name=domain]', 'home.example.com');
    await owner.fill('form[data-form=create-hda] input[name=tags]', 'Lab, home');
    await owner.click('form[data-form=create-hda] button[type=submit]');
    const command = owner.locator('#enrollment-result [data-fill=command]');
    await command.waitFor({ state: 'visible' });
    // The new HDA is on the page at once, without a reload.
    const fresh = owner.locator('#hda-list .hda-card', { hasText: 'Living room' });
    await fresh.waitFor({ state: 'visible' });
    expect(await fresh.locator('[data-live=status]').getAttribute('data-state')).toBe('pending');
    expect(await fresh.locator('.tag-chip').allTextContents()).toEqual(['lab', 'home']);
    expect(await owner.locator('.main > .empty').count()).toBe(0);
    expect(await owner.textContent('[data-live=summary]')).toBe('1 home server, 0 online');
    const text = (await command.textContent()) ?? '';
    expect(text).toMatch(new RegExp(`^curl -fsSL ${plane.url}/agent/v1/install\\.sh \\| sudo sh -s -- --code `));
    // The plane listens on the loopback here: the page says other machines cannot reach that address.
    expect(await owner.textContent('#enrollment-result [data-fill=warning]')).toMatch(/PUBLIC_URL/);
    const code = /--code ([A-Z0-9-]+)/.exec(text)?.[1];
    expect(code).toMatch(/^[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}$/);
    await shoot(owner, 'dashboard-add-hda');

    // A second tab on the dashboard, with a controllable clock for its 15-second refresh.
    const watcher = await newPage();
    await login(watcher.page, OWNER);
    await watcher.page.clock.install();
    await watcher.page.goto('/');
    const watched = watcher.page.locator('#hda-list .hda-card');
    expect(await watched.locator('[data-live=status]').getAttribute('data-state')).toBe('pending');

    await agent.enroll(code!);
    hdaId = agent.hdaId;
    expect(await fresh.getAttribute('data-hda-id')).toBe(hdaId);
    await agent.heartbeat();
    agent.start();
    // The next refresh turns the pending card into an online one with its host facts, no reload.
    await watcher.page.clock.fastForward(16_000);
    await watcher.page.waitForFunction(() => document.querySelector('#hda-list [data-live=status]')?.getAttribute('data-state') === 'online');
    expect(await watched.locator('.facts').textContent()).toContain('26.1.5');
    expect(await watched.textContent()).toContain('Last seen just now · hda-test');
    expect(await watcher.page.textContent('[data-live=summary]')).toBe('1 home server, 1 online');
    await watcher.ctx.close();
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

  it('shows the running app with its link and runtime figures, its logs, and stops it', async () => {
    const handled = agent.handled.length;
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

    // The last lines of the container logs, fetched by a logs task and shown as text, stdout and stderr apart.
    const logsDone = () =>
      owner.waitForFunction(() => document.querySelector('#logs-view [data-task-state]')?.getAttribute('data-state') === 'succeeded', null, {
        timeout: 20_000,
      });
    await owner.click('button[data-click=logs][data-tail="200"]');
    await logsDone();
    const out = (await owner.textContent('#logs-view pre.log[data-stream=stdout]')) ?? '';
    expect(out).toContain('GET / 200');
    expect(out).toContain('<script>window.__xss = 3</script>');
    expect(out).not.toContain('no TLS');
    expect(await owner.textContent('#logs-view pre.log[data-stream=stderr]')).toBe('warning: no TLS configured\n');
    expect(await owner.locator('#logs-view .log-block-stderr .log-stream').textContent()).toContain('stderr');
    const logs = ofKind(await agent.waitForTasks(handled + 1), 'logs');
    expect(logs.payload.logs).toEqual({ tail: 200 });
    await shoot(owner, 'install-logs');

    // Follow: a logs task with follow_s, whose new lines are appended while it runs.
    await owner.click('button[data-click=logs][data-follow="60"]');
    await owner.waitForSelector('#logs-view .follow-left', { timeout: 20_000 });
    expect(await owner.textContent('#logs-view h3')).toBe('Following for 60 s');
    await logsDone();
    expect(await owner.textContent('#logs-view pre.log[data-stream=stdout]')).toContain('followed line 3');
    expect(await owner.textContent('#logs-view pre.log[data-stream=stderr]')).toContain('followed line 2');
    expect(await owner.textContent('#logs-view .follow-left')).toBe('Stopped following.');
    expect(ofKind(await agent.waitForTasks(handled + 2), 'logs').payload.logs).toEqual({ tail: 50, follow_s: 60 });

    await waitForInstallState(owner, 'running');
    await owner.click('button[data-click=action][data-action=stop]');
    await owner.waitForURL(/\?task=/);
    await waitForInstallState(owner, 'stopped');
    expect((await agent.waitForTasks(handled + 3)).kind).toBe('stop');
  });

  it('updates to a new version and rolls back to the earlier deployment', async () => {
    const handled = agent.handled.length;
    const pub = await apiAs(PUBLISHER);
    await pub('POST', '/api/catalog/apps/hello/versions', { version: '2.0', kind: 'container', compose: COMPOSE('2') });
    await owner.goto(installUrl);
    await owner.selectOption('form[data-form=update] select[name=version]', '2.0');
    await owner.click('form[data-form=update] button[type=submit]');
    await owner.waitForURL(/\?task=/);
    await owner.waitForFunction(() => /version 2\.0/.test(document.querySelector('.page-header .subtitle')?.textContent ?? ''), null, { timeout: 20_000 });
    await waitForInstallState(owner, 'running');
    expect((await agent.waitForTasks(handled + 1)).kind).toBe('update');

    const rollback = owner.locator('button[data-click=rollback][data-version="1.0"]');
    expect(await rollback.count()).toBe(1);
    await rollback.click();
    await owner.waitForFunction(() => /version 1\.0/.test(document.querySelector('.page-header .subtitle')?.textContent ?? ''), null, { timeout: 20_000 });
    const rolled = ofKind(await agent.waitForTasks(handled + 2), 'rollback');
    expect(rolled.payload.version?.compose).toContain('example/hello:1');
    const history = (await owner.textContent('table.history')) ?? '';
    expect(history).toContain('Roll back');
    expect(history).toContain('Update');
    expect(history).toContain('you');
    // Each row links to its task.
    const taskLinks = await owner.locator('table.history a.history-task').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(taskLinks.length).toBeGreaterThanOrEqual(4);
    for (const href of taskLinks) expect(href).toMatch(/^\/tasks\/[0-9a-f-]{36}$/);
    await shoot(owner, 'install');
  });

  it('draws CPU and memory charts from the metrics the agent sent', async () => {
    const now = Date.now();
    const window = (minsAgo: number) => {
      const t = now - minsAgo * 60_000;
      return new Date(t - (t % 300_000)).toISOString();
    };
    // Two runs of 5-minute samples (a gap between them), a busy spell in the second.
    const mins = [...Array.from({ length: 60 }, (_, i) => 1400 - i * 5), ...Array.from({ length: 90 }, (_, i) => 600 - i * 5)];
    const metrics = mins.map((m, i) => {
      const busy = i > 100 && i < 115;
      return {
        identifier: 'hello',
        at: window(m),
        cpu_avg: busy ? 35 + (i % 5) : 2 + (i % 4) * 0.7,
        cpu_max: busy ? 60 : 6,
        memory_avg: (busy ? 180 : 90 + (i % 6)) * 1024 * 1024,
        memory_max: (busy ? 210 : 110) * 1024 * 1024,
        samples: 5,
      };
    });
    await agent.heartbeat([{ identifier: 'hello', state: 'running', health: 'healthy', cpu_percent: 3.2, memory_bytes: 96 * 1024 * 1024 }], metrics);
    await owner.goto(installUrl);
    const cpu = owner.locator('[data-chart=cpu]');
    expect(await cpu.getAttribute('data-points')).toBe(String(metrics.length));
    expect(await cpu.locator('[data-chart-now]').textContent()).toBe('3.2%');
    expect(await owner.locator('[data-chart=memory] [data-chart-now]').textContent()).toBe('96.0 MB');
    const d = (await cpu.locator('path.chart-line').getAttribute('d')) ?? '';
    expect(d.match(/M/g)?.length).toBe(2); // broken at the gap
    const box = await cpu.locator('svg').boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    expect(box!.height).toBeGreaterThan(60);
    expect(await cpu.textContent()).toContain('peak 60%');
    await owner.locator('.usage').scrollIntoViewIfNeeded();
    await shoot(owner, 'install-usage');
  });

  it('sets resource limits, which queue a reconfigure shown on the page, found again after a reload; the form then shows them', async () => {
    const handled = agent.handled.length;
    await owner.goto(installUrl);
    await agent.stop(); // hold the task in the queue so the reload below finds it still open
    await owner.fill('form[data-form=limits] input[name=cpus]', '0.5');
    await owner.fill('form[data-form=limits] input[name=memory_mb]', '256');
    await owner.click('form[data-form=limits] button[type=submit]');
    await owner.waitForURL(/\?task=/);
    const taskId = new URL(owner.url()).searchParams.get('task');
    expect(await owner.getAttribute('[data-task-stream]', 'data-task-id')).toBe(taskId);
    await owner.goto(installUrl); // no ?task=: the page finds the open task by itself
    expect(await owner.getAttribute('[data-task-stream]', 'data-task-id')).toBe(taskId);
    expect(await owner.textContent('[data-task-stream]')).toContain('Waiting for the HDA');
    await shoot(owner, 'install-limits-queued');
    agent.start();
    const t = ofKind(await agent.waitForTasks(handled + 1), 'reconfigure');
    expect(t.payload.install.limits).toEqual({ cpus: 0.5, memory_mb: 256 });
    await owner.waitForFunction(() => document.querySelector('[data-task-state]')?.getAttribute('data-state') === 'succeeded', null, { timeout: 20_000 });
    // The page reloads itself once the task it followed has ended.
    await owner.waitForFunction(
      () =>
        !document.querySelector('[data-task-stream][data-final="0"]') &&
        document.querySelector('.page-header h1 .badge')?.getAttribute('data-state') === 'running',
      null,
      { timeout: 20_000 },
    );
    expect(await owner.inputValue('form[data-form=limits] input[name=cpus]')).toBe('0.5');
    expect(await owner.inputValue('form[data-form=limits] input[name=memory_mb]')).toBe('256');
    expect(await owner.locator('table.history tbody tr').first().locator('td[data-label=What]').textContent()).toContain('Limits');
    // Emptying one field removes that limit only.
    await owner.fill('form[data-form=limits] input[name=cpus]', '');
    await owner.click('form[data-form=limits] button[type=submit]');
    const cleared = ofKind(await agent.waitForTasks(handled + 2), 'reconfigure');
    expect(cleared.payload.install.limits).toEqual({ memory_mb: 256 });
    await owner.waitForFunction(
      () =>
        !document.querySelector('[data-task-stream][data-final="0"]') &&
        document.querySelector('.page-header h1 .badge')?.getAttribute('data-state') === 'running',
      null,
      { timeout: 20_000 },
    );
  });

  it('changes the host port from the install page: a reconfigure, then the page shows the new port', async () => {
    const handled = agent.handled.length;
    await owner.goto(installUrl);
    await owner.fill('form[data-form=port] input[name=host_port]', '41234');
    await owner.click('form[data-form=port] button[type=submit]');
    const t = ofKind(await agent.waitForTasks(handled + 1), 'reconfigure');
    expect(t.payload.install).toMatchObject({ host_port: 41234, port_fixed: true });
    await owner.waitForFunction(
      () =>
        !document.querySelector('[data-task-stream][data-final="0"]') &&
        document.querySelector('.page-header h1 .badge')?.getAttribute('data-state') === 'running',
      null,
      { timeout: 20_000 },
    );
    expect(await owner.inputValue('form[data-form=port] input[name=host_port]')).toBe('41234');
    expect(await owner.locator('table.history tbody tr').first().locator('td[data-label=What]').textContent()).toContain('Port');
  });

  it('asks before uninstalling, does nothing on cancel, and uninstalls with purge on confirm', async () => {
    const handled = agent.handled.length;
    await owner.goto(installUrl);
    await owner.click('button[data-click=uninstall]');
    const dialog = owner.locator('#uninstall-dialog');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.textContent()).toContain('Hello Web');
    await dialog.locator('button[value=cancel]').click();
    await dialog.waitFor({ state: 'hidden' });
    await owner.waitForTimeout(500);
    expect(agent.handled.length).toBe(handled);
    expect(owner.url()).not.toContain('task=');

    await owner.click('button[data-click=uninstall]');
    await dialog.locator('input[name=purge]').check();
    await shoot(owner, 'uninstall-confirm');
    await dialog.locator('button[value=confirm]').click();
    await owner.waitForURL(/\?task=/);
    await waitForInstallState(owner, 'removed');
    const task = ofKind(await agent.waitForTasks(handled + 1), 'uninstall');
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
    const pub = await apiAs(PUBLISHER);
    const versionsOf = async (slug: string) => ((await pub('GET', `/api/catalog/apps/${slug}`)).versions as Array<{ version: string }>).map((v) => v.version);
    const publishBtn = page.locator('form[data-form=publish] button[value=publish]');
    const preview = async () => {
      await page.click('form[data-form=publish] button[value=preview]');
      await page.locator('#publish-result').waitFor({ state: 'visible' });
      await page.waitForFunction(() => document.querySelector('form[data-form=publish]')?.getAttribute('aria-busy') !== 'true');
    };

    // A new version of an existing app: preview shows the normalized compose and findings, nothing is stored until Publish.
    await login(page, PUBLISHER, '/publish?app=hello');
    expect(await publishBtn.isDisabled()).toBe(true);
    await page.fill('input[name=version]', '3.0');
    await page.check('input[name=source_kind][value=compose]');
    await page.fill('textarea[name=source]', COMPOSE('3').replace('    ports:', '    privileged: true\n    ports:'));
    await preview();
    let result = (await page.textContent('#publish-result')) ?? '';
    expect(await page.textContent('#publish-result h2')).toBe('Preview');
    expect(result).toContain('Nothing is stored yet');
    expect(result).toContain('Needs review');
    expect(result).toContain('privileged');
    expect(result).toContain('image: "example/hello:3"');
    expect(await versionsOf('hello')).not.toContain('3.0');
    expect(await publishBtn.isEnabled()).toBe(true);
    await shoot(page, 'publish-preview');
    // Changing the input after the preview asks for a new one.
    await page.fill('input[name=version]', '3.0.0');
    expect(await publishBtn.isDisabled()).toBe(true);
    await page.fill('input[name=version]', '3.0');
    await preview();
    await publishBtn.click();
    await page.waitForFunction(() => document.querySelector('#publish-result h2')?.textContent === 'Published');
    expect(await page.textContent('#publish-result')).toContain('Signed and added to the catalog');
    expect(await versionsOf('hello')).toContain('3.0');
    expect(await publishBtn.isDisabled()).toBe(true);
    await shoot(page, 'publish');

    // A refused version: the preview says so, Publish stays off, nothing is stored.
    await page.fill('input[name=version]', '3.1');
    await page.fill('textarea[name=source]', 'services: [');
    await preview();
    result = (await page.textContent('#publish-result')) ?? '';
    expect(result).toContain('Refused');
    expect(result).toContain('not valid YAML');
    expect(await page.locator('#publish-result .finding').count()).toBeGreaterThan(0);
    expect(await publishBtn.isDisabled()).toBe(true);
    expect(await versionsOf('hello')).not.toContain('3.1');
    await shoot(page, 'publish-refused');

    // A new app: created only when its first version is published.
    await page.goto('/publish');
    await page.fill('input[name=slug]', 'notes');
    await page.fill('input[name=name]', 'Notes');
    await page.fill('textarea[name=description]', 'A note-taking app.');
    await page.fill('input[name=version]', '1.0');
    await page.check('input[name=source_kind][value=compose]');
    await page.fill('textarea[name=source]', COMPOSE('1'));
    await preview();
    expect((await pub('GET', '/api/catalog/apps')).apps.map((a: { slug: string }) => a.slug)).not.toContain('notes');
    await publishBtn.click();
    await page.waitForFunction(() => document.querySelector('#publish-result h2')?.textContent === 'Published');
    expect(await versionsOf('notes')).toEqual(['1.0']);
    expect(await page.getAttribute('#publish-result a[data-fill-href=app-link]', 'href')).toBe('/catalog/notes');
    await shoot(page, 'publish-new-app');
    await ctx.close();
  });
  it('deploys one app to two HDAs as a fleet, with per-HDA environment, and follows it to the end', async () => {
    // A second HDA with its own agent, enrolled through the API and tagged like the first.
    const ownerApi = await apiAs(OWNER);
    const garage = await ownerApi('POST', '/api/hdas', { name: 'Garage', domain: 'garage.example.com', tags: ['lab'] });
    agent2 = new ScriptedAgent(plane.url);
    await agent2.enroll(garage.enrollment_code);
    await agent2.heartbeat();
    agent2.start();
    await agent.heartbeat();

    await owner.goto('/fleet');
    await owner.selectOption('form[data-form=batch] select[name=app]', 'hello');
    await owner.waitForFunction(() => document.querySelectorAll('form[data-form=batch] select[name=version] option').length > 1);
    // 3.0 asks for privileged (needs review), which a fleet deployment cannot allow: deploy 2.0.
    expect(await owner.textContent('form[data-form=batch] select[name=version]')).toContain('3.0 · needs review');
    await owner.selectOption('form[data-form=batch] select[name=version]', '2.0');
    // By tag: both HDAs carry "lab", and the form shows which ones that means.
    await owner.check('form[data-form=batch] input[name=target][value=tag]');
    await owner.selectOption('form[data-form=batch] select[name=tag]', 'lab');
    expect(await owner.locator('.hda-pick.in-tag').count()).toBe(2);
    await owner.check('form[data-form=batch] input[name=target][value=list]');
    expect(await owner.locator('.hda-pick.in-tag').count()).toBe(0);
    // By ticking them, with an environment value for the garage only.
    await owner.check(`.hda-pick[data-hda-id="${hdaId}"] input[name=hdas]`);
    await owner.check(`.hda-pick[data-hda-id="${agent2.hdaId}"] input[name=hdas]`);
    const env = owner.locator(`.hda-pick[data-hda-id="${agent2.hdaId}"] details.pick-env`);
    await env.locator('summary').click();
    await env.locator('textarea').fill('GREETING=hi garage\n# a comment\nbad line');
    await owner.click('form[data-form=batch] button[type=submit]');
    const err = owner.locator('form[data-form=batch] .form-error');
    await err.waitFor({ state: 'visible' });
    expect(await err.textContent()).toContain('Environment for Garage, line 3');
    await env.locator('textarea').fill('GREETING=hi garage\n# a comment');
    await owner.fill('form[data-form=batch] input[name=concurrency]', '2');
    await shoot(owner, 'fleet');
    const before1 = agent.handled.length;
    const before2 = agent2.handled.length;
    await owner.click('form[data-form=batch] button[type=submit]');
    await owner.waitForURL(/\/batches\/[0-9a-f-]{36}$/);
    // While it runs, each HDA shows its task's latest Lighthouse status (Starting, OK, Progress, Complete...).
    await owner.waitForSelector('.batch-item[data-item-state=queued] .lh:not(.lh-Finalized)', { timeout: 15_000 });
    await shoot(owner, 'batch-running');

    await owner.waitForFunction(() => document.querySelector('[data-batch-state]')?.getAttribute('data-state') === 'succeeded', null, { timeout: 30_000 });
    const items = owner.locator('.batch-item');
    expect(await items.count()).toBe(2);
    for (const id of [hdaId, agent2.hdaId]) {
      const item = owner.locator(`.batch-item[data-hda-id="${id}"]`);
      expect(await item.getAttribute('data-item-state')).toBe('succeeded');
      expect(await item.locator('[data-live=item-state]').textContent()).toBe('Succeeded');
      expect(await item.locator('a[href^="/tasks/"]').count()).toBe(1);
      await item.locator('.lh-Finalized').waitFor({ timeout: 10_000 });
    }
    expect(await owner.textContent('[data-live=summary]')).toContain('2 of 2 done');
    expect(await owner.textContent('[data-live=banner]')).toContain('every HDA runs this version');
    const t1 = ofKind(await agent.waitForTasks(before1 + 1), 'install', 'update');
    const t2 = ofKind(await agent2.waitForTasks(before2 + 1), 'install', 'update');
    expect(t1.payload.install.env ?? {}).toEqual({});
    expect(t2.payload.install.env).toEqual({ GREETING: 'hi garage' });
    expect(t2.payload.version?.version).toBe('2.0');
    await shoot(owner, 'batch');
    await owner.goto('/fleet');
    expect(await owner.locator('.batch-list li').count()).toBe(1);
    expect(await owner.textContent('.batch-list')).toContain('Hello Web');
  });

  it('removes unused images and shows the space freed, and gives a new enrollment command', async () => {
    const handled = agent.handled.length;
    await owner.goto(`/hdas/${hdaId}`);
    expect(await owner.locator('.page-header .tag-chip').allTextContents()).toEqual(['lab', 'home']);
    await owner.click('button[data-click=prune]');
    await owner.waitForFunction(() => document.querySelector('#prune-view [data-task-state]')?.getAttribute('data-state') === 'succeeded', null, {
      timeout: 20_000,
    });
    expect(await owner.textContent('#prune-view')).toContain('Kept for the apps and their rollbacks: example/hello');
    expect(await owner.textContent('#prune-view .task-result')).toContain('50.0 MB freed');
    expect(await owner.getAttribute('#prune-view .task-result [data-freed-bytes]', 'data-freed-bytes')).toBe(String(50 * 1024 * 1024));
    expect((await agent.waitForTasks(handled + 1)).kind).toBe('prune');
    await owner.click('button[data-click=new-enrollment]');
    await owner.locator('#enrollment-result [data-fill=command]').waitFor({ state: 'visible' });
    expect(await owner.textContent('#enrollment-result [data-fill=command]')).toMatch(/--code [A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}$/);
    await shoot(owner, 'hda-manage');
  });

  it('asks before revoking an HDA, does nothing on cancel, and revokes on confirm', async () => {
    await agent2!.stop(); // its token stops working: no agent polls with it any more
    const id = agent2!.hdaId;
    await owner.goto(`/hdas/${id}`);
    await owner.click('button[data-click=revoke]');
    const dialog = owner.locator('#revoke-dialog');
    await dialog.waitFor({ state: 'visible' });
    expect(await dialog.textContent()).toContain('Revoke Garage?');
    await shoot(owner, 'revoke-confirm');
    await dialog.locator('button[value=cancel]').click();
    await dialog.waitFor({ state: 'hidden' });
    await owner.waitForTimeout(300);
    const ownerApi = await apiAs(OWNER);
    expect((await ownerApi('GET', `/api/hdas/${id}`)).hda.status).not.toBe('revoked');

    await owner.click('button[data-click=revoke]');
    await dialog.locator('button[value=confirm]').click();
    await owner.waitForFunction(() => document.querySelector('.page-header [data-live=status]')?.getAttribute('data-state') === 'revoked', null, {
      timeout: 10_000,
    });
    expect((await ownerApi('GET', `/api/hdas/${id}`)).hda.status).toBe('revoked');
    expect(await owner.textContent('main')).toContain('Enroll again');
    expect(await owner.locator('button[data-click=revoke]').count()).toBe(0);
  });
});
