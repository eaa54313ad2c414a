/**
 * Item 1 of the first hour, in Chromium: the admin `npm start` creates and prints signs in through the
 * sign-in page, at desktop and phone width (before, sign-in refused the address with a 400).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededPlane } from './first-start-plane';
import { DESKTOP, hasChromium, launchChromium, login, newPage, overflowX, PHONE } from './browser-kit';

const available = hasChromium();

describe.skipIf(!available)('first start in Chromium', () => {
  let browser: Browser;
  let plane: Awaited<ReturnType<typeof createSeededPlane>>;
  const dialogs: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    plane = await createSeededPlane();
  });
  afterAll(async () => {
    await browser?.close();
    await plane?.close();
  });

  it('the printed admin@localhost and password sign in at both widths', async () => {
    const admin = plane.seededAdmin!;
    expect(admin.email).toBe('admin@localhost');
    expect(admin.generatedPassword).toBeTruthy();
    for (const viewport of [DESKTOP, PHONE]) {
      const { ctx, page } = await newPage(browser, plane.url, dialogs, viewport);
      await login(page, { email: admin.email, password: admin.generatedPassword! });
      expect(await page.textContent('h1')).toContain('Your HDAs');
      expect(await overflowX(page)).toBeLessThanOrEqual(0);
      await ctx.close();
    }
    expect(dialogs).toEqual([]);
  });
});
