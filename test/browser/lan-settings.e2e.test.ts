/**
 * The owner turns "Redirect HTTP to HTTPS" on from the HDA page in Chromium: the page says the change
 * is pending while the agent has not applied it, and in force once the agent did and reported it.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeartbeatInput } from '../../core/protocol';
import { startControlPlane, type ControlPlane } from '../../worker/node-server';
import { apiAs, hasChromium, launchChromium, login, newPage } from './browser-kit';
import { ScriptedAgent } from './scripted-agent';

const chromiumHere = hasChromium();
const ADMIN = { email: 'admin@example.com', password: 'admin-password-e2e' };
const OWNER = { email: 'owner@example.com', password: 'owner-password-e2e1' };
const lan = (redirect: boolean): HeartbeatInput['lan'] => ({
  names: { mode: 'dnsmasq', address: '192.168.1.10' },
  https: { port: 443, certificates: 'ca', redirect },
  apps: [],
});

describe.skipIf(!chromiumHere)('LAN settings from the HDA page', () => {
  let plane: ControlPlane;
  let browser: Browser;
  let agent: ScriptedAgent;
  let page: Page;
  const dialogs: string[] = [];

  beforeAll(async () => {
    plane = await startControlPlane({ port: 0, adminEmail: ADMIN.email, adminPassword: ADMIN.password, seedCatalog: false, quiet: true });
    await (await apiAs(plane.url, ADMIN))('POST', '/api/users', { ...OWNER, role: 'owner' });
    const home = await (await apiAs(plane.url, OWNER))('POST', '/api/hdas', { name: 'Home', domain: 'home.example.com' });
    agent = new ScriptedAgent(plane.url, 40);
    await agent.enroll(home.enrollment_code);
    await agent.heartbeat([], undefined, { lan: lan(false) });
    browser = await launchChromium();
    page = (await newPage(browser, plane.url, dialogs)).page;
    await login(page, OWNER, `/hdas/${agent.hdaId}`);
  });
  afterAll(async () => {
    await agent?.stop();
    await browser?.close();
    await plane?.close();
  });

  it('the change shows pending until the agent applies it, then in force', async () => {
    await page.goto(`/hdas/${agent.hdaId}`);
    await expect(page.locator('[data-lan-redirect]').textContent()).resolves.toBe('Apps answer over plain HTTP too.');
    await page.click('details.lan-settings > summary');
    await page.check('form[data-form=lan-settings] input[name=https_redirect]');
    await page.click('form[data-form=lan-settings] button[type=submit]');
    await page.waitForSelector('[data-lan-settings=pending]');
    agent.start();
    await agent.waitForTasks(1);
    await agent.heartbeat([], undefined, { lan: lan(true) });
    await page.reload();
    // The form folds away once nothing is pending: the status is in the closed details.
    await page.waitForSelector('[data-lan-settings=in-force]', { state: 'attached' });
    await expect(page.locator('[data-lan-redirect]').textContent()).resolves.toBe('Plain HTTP redirects to HTTPS.');
    expect(dialogs).toEqual([]);
  });
});
