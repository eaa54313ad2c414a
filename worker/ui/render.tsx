/** Turns a page component into the HTML response: doctype, CSP, no caching of private pages. */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../context';
import { UI_CSP } from './csp';

export function setUiHeaders(c: Context<AppEnv>): void {
  c.header('Content-Security-Policy', UI_CSP);
  c.header('Cache-Control', 'no-store');
}

export async function renderPage(c: Context<AppEnv>, page: Child, status: 200 | 400 | 403 | 404 | 500 = 200): Promise<Response> {
  setUiHeaders(c);
  const body = (await page)?.toString() ?? '';
  return c.html(`<!DOCTYPE html>${body}`, status);
}
