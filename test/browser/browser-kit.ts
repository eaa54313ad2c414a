/** What the browser suites share: Debian's Chromium, a signed-in API caller, pages at two widths. */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { commandWorks, requireOrSkip } from '../helpers/requirements';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = () => requireOrSkip('chromium', commandWorks(CHROMIUM, ['--version']), `Debian chromium not found at ${CHROMIUM}`);
export const SHOTS = 'test-results/screenshots';
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 860 };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export type ApiCaller = (method: string, path: string, body?: unknown) => Promise<any>;

/** Signs in over the API and returns a caller that throws on any non-2xx answer. */
export async function apiAs(baseUrl: string, creds: { email: string; password: string }): Promise<ApiCaller> {
  const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(creds) });
  const { token } = (await res.json()) as { token: string };
  return async (method, path, body) => {
    const r = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await r.json()) as any;
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(data)}`);
    return data;
  };
}

/** A fresh browser context; native dialogs (alert, confirm) are recorded in `dialogs` and dismissed. */
export async function newPage(browser: Browser, baseURL: string, dialogs: string[], viewport = DESKTOP): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport, baseURL });
  const page = await ctx.newPage();
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return { ctx, page };
}

export async function login(page: Page, creds: { email: string; password: string }, path = '/') {
  await page.goto(path);
  await page.waitForURL(/\/login/);
  await page.fill('input[name=email]', creds.email);
  await page.fill('input[name=password]', creds.password);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** Full-page screenshots at desktop and phone width, back at desktop after. */
export async function shoot(page: Page, name: string) {
  for (const [label, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SHOTS}/${name}-${label}.png`, fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}

/** How far the page is wider than the window (0 when nothing spills sideways). */
export const overflowX = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
