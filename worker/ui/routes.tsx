/**
 * The browser UI: server-rendered pages (hono/jsx) plus one static client script and stylesheet.
 * Pages read through the JSON API as the visitor; every change the UI makes is a fetch to /api/...
 * from the client script. Mounted by worker/app.ts with `app.route('/', createUiRoutes(app))`.
 *
 * Middleware is attached per route, never with `use('*')`: this router is mounted at '/', where a
 * wildcard middleware would also run for the API.
 */
import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import { readSession } from '../auth/session';
import type { AppEnv } from '../context';
import { PageError, pageClient, type ApiFetcher } from './api';
import { APP_CSS, APP_JS } from './assets';
import { accountPage } from './pages/account';
import { auditPage } from './pages/audit';
import { appDetailPage, catalogPage } from './pages/catalog';
import type { PageContext } from './pages/context';
import { dashboardPage } from './pages/dashboard';
import { ErrorPage } from './pages/error';
import { batchPage, fleetPage } from './pages/fleet';
import { hdaPage } from './pages/hda';
import { installPage } from './pages/install';
import { installsPage } from './pages/installs';
import { LoginPage } from './pages/login';
import { publishPage } from './pages/publish';
import { taskPage } from './pages/task';
import { usersPage } from './pages/users';
import { renderPage } from './render';
import type { PageUser } from './types';

/** Stands for this site when a redirect target is resolved: only what stays on it is accepted. */
const HOME = new URL('https://home.invalid/');

/**
 * A post-login destination, only as a path on this site. The target is parsed the way a browser
 * reads it (tabs and newlines dropped, backslashes as slashes) and accepted only when it stays on
 * this origin; what comes back is re-serialized and must stay here too when read again.
 */
export function safeNext(next: string | undefined): string {
  if (!next) return '/';
  let url: URL;
  try {
    url = new URL(next, HOME);
  } catch {
    return '/';
  }
  if (url.origin !== HOME.origin) return '/';
  const path = url.pathname + url.search + url.hash;
  return new URL(path, HOME).origin === HOME.origin ? path : '/';
}

function pathOf(c: Context): string {
  const url = new URL(c.req.url);
  return url.pathname + url.search;
}

type PageFn = (p: PageContext) => Promise<Child> | Child;

/** Every page: its path, what renders it, and who besides admins may see it (everyone signed in when absent). */
const PAGES: Array<[path: string, render: PageFn, roles?: PageUser['role'][]]> = [
  ['/', (p) => dashboardPage(p)],
  ['/hdas/:id', (p) => hdaPage(p, p.c.req.param('id')!)],
  ['/catalog', (p) => catalogPage(p, p.c.req.query('q') ?? '', p.c.req.query('category'))],
  ['/catalog/:slug', (p) => appDetailPage(p, p.c.req.param('slug')!)],
  ['/installs', (p) => installsPage(p)],
  ['/account', (p) => accountPage(p)],
  ['/installs/:id', (p) => installPage(p, p.c.req.param('id')!, p.c.req.query('task'))],
  ['/tasks/:id', (p) => taskPage(p, p.c.req.param('id')!)],
  ['/fleet', (p) => fleetPage(p)],
  ['/batches/:id', (p) => batchPage(p, p.c.req.param('id')!)],
  ['/admin/users', (p) => usersPage(p), ['admin']],
  ['/admin/audit', (p) => auditPage(p), ['admin']],
  ['/publish', (p) => publishPage(p, p.c.req.query('app')), ['publisher']],
];

/** A signed-in page: sign-in first, 403 for a role it is not for, the API's 403/404 as an error page. */
const pageHandler = (api: ApiFetcher, fn: PageFn, roles?: PageUser['role'][]) => async (c: Context<AppEnv>) => {
  const session = await readSession(c);
  if (!session) return c.redirect(`/login?next=${encodeURIComponent(pathOf(c))}`, 302);
  const user: PageUser = { id: session.id, email: session.email, role: session.role };
  if (roles && user.role !== 'admin' && !roles.includes(user.role)) return renderPage(c, <ErrorPage status={403} user={user} />, 403);
  const p: PageContext = { c, user, now: c.get('deps').now(), api: pageClient(api, c) };
  try {
    return await renderPage(c, await fn(p));
  } catch (err) {
    if (!(err instanceof PageError)) throw err;
    if (err.status === 401) return c.redirect(`/login?next=${encodeURIComponent(pathOf(c))}`, 302);
    const status = err.status === 403 || err.status === 404 ? err.status : 500;
    return renderPage(c, <ErrorPage status={status} user={user} message={err.message} />, status);
  }
};

const asset = (body: string, type: string) => (c: Context<AppEnv>) => {
  c.header('Content-Type', type);
  // URLs carry a content hash (?v=...), so a changed file is a new URL.
  c.header('Cache-Control', 'public, max-age=31536000, immutable');
  return c.body(body);
};

export function createUiRoutes(api: ApiFetcher) {
  const ui = new Hono<AppEnv>();
  ui.get('/ui/app.js', asset(APP_JS, 'text/javascript; charset=utf-8'));
  ui.get('/ui/app.css', asset(APP_CSS, 'text/css; charset=utf-8'));

  ui.get('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (await readSession(c)) return c.redirect(next, 302);
    return renderPage(c, <LoginPage next={next} />);
  });
  // Forms only reach the server here when the client script did not run: say so instead of failing.
  ui.post('/ui/needs-script', (c) =>
    renderPage(c, <ErrorPage status={400} user={null} message="This page needs JavaScript to send changes. Enable it and try again." />, 400),
  );
  for (const [path, render, roles] of PAGES) ui.get(path, pageHandler(api, render, roles));
  return ui;
}
