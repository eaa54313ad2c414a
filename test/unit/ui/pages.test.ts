/**
 * The UI pages rendered through the real app (in-memory plane): sign-in redirects, CSP, escaping of
 * publisher-supplied text, tenancy (another owner's things are 404 pages), roles, and the assets.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../../helpers/plane';
import { APP_JS } from '../../../worker/ui/assets';
import { safeNext } from '../../../worker/ui/routes';

let plane: TestPlane;
let ownerA: { token: string; id: string; email: string };
let ownerB: { token: string; id: string; email: string };
let publisher: { token: string };
let hdaA: string;
let installA: string;
let taskA: string;

const XSS = '<script>alert(1)</script>';

function page(path: string, token?: string) {
  return plane.request('GET', path, token ? { headers: { cookie: `hda_session=${token}` } } : {});
}

beforeAll(async () => {
  plane = await createTestPlane();
  ownerA = await plane.user('owner');
  ownerB = await plane.user('owner');
  publisher = await plane.user('publisher');
  await plane.json('POST', '/api/catalog/apps', { token: publisher.token, body: { slug: 'evil', name: 'Evil <b>bold</b>', description: XSS } });
  await publishApp(plane, 'evil', { token: publisher.token });
  await publishApp(plane, 'hello', { token: publisher.token });
  ({ hdaId: hdaA } = await enrolledHda(plane, ownerA.token, 'alpha-home', 'alpha.example.com'));
  const inst = await plane.json('POST', `/api/hdas/${hdaA}/installs`, { token: ownerA.token, body: { app: 'hello' } });
  expect(inst.status).toBe(201);
  installA = inst.body.install.id;
  taskA = inst.body.task.id;
});

describe('signing in', () => {
  it('sends a visitor without a session to /login, remembering where they were going', async () => {
    for (const path of ['/', `/hdas/${hdaA}`, '/catalog?q=x', '/admin/users']) {
      const res = await page(path);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  it('serves the login form, and sends a signed-in visitor on', async () => {
    const res = await page('/login?next=%2Fcatalog');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('data-form="login"');
    expect(html).toContain('data-next="/catalog"');
    const again = await page('/login?next=%2Fcatalog', ownerA.token);
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toBe('/catalog');
  });

  it('never redirects off-site after login', () => {
    expect(safeNext('//evil.example/x')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('https://evil.example/')).toBe('/');
    expect(safeNext(undefined)).toBe('/');
    expect(safeNext('/hdas/1?x=2')).toBe('/hdas/1?x=2');
  });
});

describe('content security', () => {
  it('sets a CSP on every page that allows scripts from this origin only, and pages carry no inline script', async () => {
    for (const [path, token] of [['/login', undefined], ['/', ownerA.token], ['/catalog/evil', ownerA.token], [`/hdas/${hdaA}`, ownerA.token], [`/tasks/${taskA}`, ownerA.token]] as const) {
      const res = await page(path, token);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      const scriptSrc = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'));
      expect(scriptSrc, path).toBe("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      const html = await res.text();
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length, path).toBe(1);
      expect(scripts[0]).toMatch(/src="\/ui\/app\.js\?v=[0-9a-z]+"/);
      expect(html).not.toMatch(/\son[a-z]+="/i); // no inline event handlers
    }
  });

  it('escapes app names and descriptions a publisher wrote', async () => {
    for (const path of ['/catalog', '/catalog/evil', `/hdas/${hdaA}`]) {
      const html = await (await page(path, ownerA.token)).text();
      expect(html, path).not.toContain(XSS);
      expect(html, path).not.toContain('<b>bold</b>');
    }
    const detail = await (await page('/catalog/evil', ownerA.token)).text();
    expect(detail).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(detail).toContain('Evil &lt;b&gt;bold&lt;/b&gt;');
  });

  it('serves the client script and stylesheet, and the script parses', async () => {
    const js = await page('/ui/app.js');
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(await js.text()).toBe(APP_JS);
    expect(() => new Function(APP_JS)).not.toThrow();
    // The client builds DOM from text only: no HTML parsing of data, no eval.
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function']) expect(APP_JS).not.toContain(sink);
    const css = await page('/ui/app.css');
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(await css.text()).toContain('.badge');
  });
});

describe('escaping by construction', () => {
  it('never bypasses JSX escaping in the UI sources', () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    for (const file of files('worker/ui').filter((f) => f.endsWith('.tsx'))) {
      const src = readFileSync(file, 'utf8');
      expect(src, file).not.toContain('dangerouslySetInnerHTML');
      expect(src, file).not.toMatch(/\braw\(/);
    }
  });
});

describe('tenancy and roles', () => {
  it("shows an owner their own HDA, and another owner a 404 page for it", async () => {
    const mine = await page(`/hdas/${hdaA}`, ownerA.token);
    expect(mine.status).toBe(200);
    expect(await mine.text()).toContain('alpha-home');
    for (const path of [`/hdas/${hdaA}`, `/installs/${installA}`, `/tasks/${taskA}`]) {
      const theirs = await page(path, ownerB.token);
      expect(theirs.status, path).toBe(404);
      const html = await theirs.text();
      expect(html).toContain('Not found');
      expect(html).not.toContain('alpha-home');
      expect(theirs.headers.get('content-type')).toContain('text/html');
    }
  });

  it("lists only the owner's HDAs on the dashboard", async () => {
    expect(await (await page('/', ownerA.token)).text()).toContain('alpha-home');
    const b = await (await page('/', ownerB.token)).text();
    expect(b).not.toContain('alpha-home');
    expect(b).toContain('No HDA yet');
  });

  it('keeps admin and publisher pages to those roles', async () => {
    expect((await page('/admin/users', ownerA.token)).status).toBe(403);
    expect((await page('/publish', ownerA.token)).status).toBe(403);
    expect((await page('/publish', publisher.token)).status).toBe(200);
    const admin = await plane.login('admin@example.com', 'admin-password-1');
    const users = await page('/admin/users', admin);
    expect(users.status).toBe(200);
    expect(await users.text()).toContain(ownerA.email);
  });

  it('renders the install and task pages for the owner', async () => {
    const inst = await (await page(`/installs/${installA}?task=${taskA}`, ownerA.token)).text();
    expect(inst).toContain('http://hello.alpha.example.com/');
    expect(inst).toContain(`data-task-id="${taskA}"`);
    expect(inst).toContain('Deployment history');
    const task = await (await page(`/tasks/${taskA}`, ownerA.token)).text();
    expect(task).toContain(`data-task-id="${taskA}"`);
    expect(task).toContain('Waiting for the HDA');
  });

  it('leaves the JSON API and its 404s as they were', async () => {
    const res = await plane.request('GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe('not_found');
    expect((await plane.request('GET', '/api/catalog/apps')).headers.get('content-security-policy')).toBeNull();
  });
});
