/**
 * The admin's audit page in Debian's Chromium against the Node entry: failed sign-ins and changes
 * appear with who, what, from where; the GET filter form narrows them; "Older entries" pages on with
 * the filter kept; an owner is refused. Also: a hostile `next` after sign-in stays on this site.
 * Screenshots land in test-results/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type ControlPlane } from '../../worker/node-server';
import { hasChromium, launchChromium, login, SHOTS } from './browser-kit';

const available = hasChromium();

const ADMIN = { email: 'admin@example.com', password: 'admin-password-audit' };
const OWNER = { email: 'owner@example.com', password: 'owner-password-audit' };
const HDAS = 55; // more than one page (50 rows)

let plane: ControlPlane;
let browser: Browser;

async function post(path: string, body: unknown, token?: string) {
  return fetch(`${plane.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

const actions = (page: Page) => page.$$eval('table.audit tbody tr td[data-label=Action]', (cells) => cells.map((c) => c.textContent?.trim()));

describe.skipIf(!available)('the audit page in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    plane = await startControlPlane({ port: 0, adminEmail: ADMIN.email, adminPassword: ADMIN.password, seedCatalog: false, quiet: true });
    const { token } = (await (await post('/api/auth/login', ADMIN)).json()) as { token: string };
    expect((await post('/api/users', { ...OWNER, role: 'owner' }, token)).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await post('/api/auth/login', { email: OWNER.email, password: 'not-the-password' })).status).toBe(401);
    for (let i = 0; i < HDAS; i++) expect((await post('/api/hdas', { name: `box ${i}`, domain: `box${i}.example.com` }, token)).status).toBe(201);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await plane?.close();
  });

  it('shows sign-ins and changes, filters them with the form, and pages on', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: plane.url });
    const page = await ctx.newPage();
    await login(page, ADMIN, '/admin/audit');
    expect(new URL(page.url()).pathname).toBe('/admin/audit');
    await expect(page.getAttribute('nav a[href="/admin/audit"]', 'aria-current')).resolves.toBe('page');
    expect(await actions(page)).toContain('auth.login');

    await page.fill('input[name=action]', 'auth.login_failed');
    await Promise.all([page.waitForURL(/action=auth\.login_failed/), page.click('.audit-filters button[type=submit]')]);
    expect(await actions(page)).toEqual(['auth.login_failed', 'auth.login_failed', 'auth.login_failed']);
    const row = await page.textContent('table.audit tbody tr');
    expect(row).toContain(OWNER.email);
    expect(row).toContain('127.0.0.1');
    await page.screenshot({ path: `${SHOTS}/audit-desktop.png`, fullPage: true });

    await page.fill('input[name=action]', 'hda.create');
    await Promise.all([page.waitForURL(/action=hda\.create/), page.click('.audit-filters button[type=submit]')]);
    const first = await actions(page);
    expect(first).toHaveLength(50);
    await Promise.all([page.waitForURL(/cursor=/), page.click('a[rel=next]')]);
    expect(new URL(page.url()).searchParams.get('action')).toBe('hda.create');
    expect(await actions(page)).toEqual(Array(HDAS - 50).fill('hda.create'));
    expect(await page.$('a[rel=next]')).toBeNull();

    await page.goto('/admin/audit?since=yesterday');
    expect(await page.textContent('[role=alert].form-error')).toMatch(/since/);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/admin/audit');
    await page.screenshot({ path: `${SHOTS}/audit-phone.png`, fullPage: true });
    await ctx.close();
  });

  it('refuses an owner', async () => {
    const ctx = await browser.newContext({ baseURL: plane.url });
    const page = await ctx.newPage();
    await login(page, OWNER, '/');
    const res = await page.goto('/admin/audit');
    expect(res?.status()).toBe(403);
    expect(await page.$('nav a[href="/admin/audit"]')).toBeNull();
    await ctx.close();
  });

  it('after sign-in goes only to a page of this site, whatever next says', async () => {
    const ctx = await browser.newContext({ baseURL: plane.url });
    const page = await ctx.newPage();
    await page.goto('/login?next=/%09/evil.example');
    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', ADMIN.password);
    await page.click('button[type=submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    expect(new URL(page.url()).origin).toBe(plane.url);
    await ctx.close();
  });
});
