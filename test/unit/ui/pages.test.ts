/**
 * The UI pages rendered through the real app (in-memory plane): sign-in redirects, CSP, escaping of
 * publisher-supplied text, tenancy (another owner's things are 404 pages), roles, and the assets;
 * round two: the fleet and batch pages, the install page's history links, running task, limits,
 * usage charts and logs, the HDA page's tags, prune and revoke, and the publish preview.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestPlane, enrolledHda, publishApp, type TestPlane } from '../../helpers/plane';
import { APP_JS } from '../../../worker/ui/assets';
import { chartPaths, niceCeil } from '../../../worker/ui/metrics-chart';
import { safeNext } from '../../../worker/ui/routes';

let plane: TestPlane;
let ownerA: { token: string; id: string; email: string };
let ownerB: { token: string; id: string; email: string };
let publisher: { token: string };
let hdaA: string;
let installA: string;
let taskA: string;
let agentA: string;
let hdaX: string;
let batchX: string;

const XSS = '<script>alert(1)</script>';
const XSS_HDA = '<img src=x onerror=alert(2)>';

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
  ({ hdaId: hdaA, agentToken: agentA } = await enrolledHda(plane, ownerA.token, 'alpha-home', 'alpha.example.com'));
  const inst = await plane.json('POST', `/api/hdas/${hdaA}/installs`, { token: ownerA.token, body: { app: 'hello' } });
  expect(inst.status).toBe(201);
  installA = inst.body.install.id;
  taskA = inst.body.task.id;
  // A second HDA with a hostile name and tags, and a fleet deployment of the hostile app onto it.
  const x = await plane.json('POST', '/api/hdas', { token: ownerA.token, body: { name: XSS_HDA, domain: 'x.example.com', tags: ['office', 'eu'] } });
  expect(x.status).toBe(201);
  hdaX = x.body.hda.id;
  expect((await plane.json('POST', '/agent/v1/enroll', { body: { code: x.body.enrollment_code, hostname: 'x-host' } })).status).toBe(200);
  const b = await plane.json('POST', '/api/batches', { token: ownerA.token, body: { app: 'evil', hdas: [hdaX] } });
  expect(b.status).toBe(201);
  batchX = b.body.batch.id;
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
    const pages = [
      ['/login', undefined],
      ['/', ownerA.token],
      ['/catalog/evil', ownerA.token],
      [`/hdas/${hdaA}`, ownerA.token],
      [`/tasks/${taskA}`, ownerA.token],
      [`/installs/${installA}`, ownerA.token],
      ['/fleet', ownerA.token],
      [`/batches/${batchX}`, ownerA.token],
      ['/publish', publisher.token],
    ] as const;
    for (const [path, token] of pages) {
      const res = await page(path, token);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      const scriptSrc = csp
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith('script-src'));
      expect(scriptSrc, path).toBe("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      const html = await res.text();
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length, path).toBe(1);
      expect(scripts[0]).toMatch(/src="\/ui\/app\.js\?v=[0-9a-z]+"/);
      expect(html).not.toMatch(/\son[a-z]+="/i); // no inline event handlers
      expect(html, path).not.toMatch(/\sstyle="/i); // inline styles would need 'unsafe-inline'
    }
  });

  it('escapes HDA names and app names on the fleet, batch and HDA pages', async () => {
    for (const path of ['/', '/fleet', `/batches/${batchX}`, `/hdas/${hdaX}`]) {
      const html = await (await page(path, ownerA.token)).text();
      expect(html, path).not.toContain(XSS_HDA);
      expect(html, path).toContain('&lt;img src=x onerror=alert(2)&gt;');
      expect(html, path).not.toContain('<b>bold</b>');
    }
    const batch = await (await page(`/batches/${batchX}`, ownerA.token)).text();
    expect(batch).toContain('Deploy Evil &lt;b&gt;bold&lt;/b&gt;');
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
    for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function', "setAttribute('on", 'srcdoc', 'javascript:'])
      expect(APP_JS).not.toContain(sink);
    // Only the own origin's API is fetched or streamed.
    for (const m of APP_JS.matchAll(/new EventSource\(([^)]*)\)/g)) expect(m[1]).toMatch(/^[`'"]\/api\//);
    const css = await page('/ui/app.css');
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(await css.text()).toContain('.badge');
  });
});

describe('escaping by construction', () => {
  it('never bypasses JSX escaping in the UI sources', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    for (const file of files('worker/ui').filter((f) => f.endsWith('.tsx'))) {
      const src = readFileSync(file, 'utf8');
      expect(src, file).not.toContain('dangerouslySetInnerHTML');
      expect(src, file).not.toMatch(/\braw\(/);
    }
  });
});

describe('tenancy and roles', () => {
  it('shows an owner their own HDA, and another owner a 404 page for it', async () => {
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

  it("keeps another owner's batches, installs and HDAs off their fleet page", async () => {
    const theirs = await page(`/batches/${batchX}`, ownerB.token);
    expect(theirs.status).toBe(404);
    expect(await theirs.text()).not.toContain('onerror');
    const fleet = await (await page('/fleet', ownerB.token)).text();
    expect(fleet).not.toContain('alpha-home');
    expect(fleet).not.toContain(batchX);
    expect(fleet).not.toContain('onerror');
    expect(fleet).toContain('None of your HDAs is enrolled yet');
    const mine = await (await page('/fleet', ownerA.token)).text();
    expect(mine).toContain('data-form="batch"');
    expect(mine).toContain(`href="/batches/${batchX}"`);
    expect(mine).toContain(`name="env:${hdaA}"`);
    expect(mine).toContain('<option value="office">office</option>');
  });

  it('leaves the JSON API and its 404s as they were', async () => {
    const res = await plane.request('GET', '/api/nothing-here');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe('not_found');
    expect((await plane.request('GET', '/api/catalog/apps')).headers.get('content-security-policy')).toBeNull();
  });
});

describe('round two pages', () => {
  it('links each history row to its task, names who did it, and finds the running task again without ?task=', async () => {
    const html = await (await page(`/installs/${installA}`, ownerA.token)).text();
    expect(html).toContain(`href="/tasks/${taskA}"`);
    expect(html).toMatch(/data-label="Who" class="who">you</);
    expect(html).toContain(`data-task-id="${taskA}"`); // the install task is still queued
    expect(html).toContain('data-reload-on-done="1"');
    const admin = await plane.login('admin@example.com', 'admin-password-1');
    const asAdmin = await (await page(`/installs/${installA}`, admin)).text();
    expect(asAdmin).toContain(`data-label="Who" class="who">${ownerA.email}<`);
  });

  it('shows the limits form, the logs buttons and the usage charts drawn from the metrics', async () => {
    const none = await (await page(`/installs/${installA}`, ownerA.token)).text();
    expect(none).toContain('data-form="limits"');
    expect(none).toContain('data-follow="60"');
    expect(none).toContain('No usage figures yet');
    const at = (minsAgo: number) => new Date(plane.clock.now - minsAgo * 60_000 - ((plane.clock.now - minsAgo * 60_000) % 300_000)).toISOString();
    const metrics = [120, 115, 110, 60, 55, 50, 45].map((m, i) => ({
      identifier: 'hello',
      at: at(m),
      cpu_avg: 2 + i,
      cpu_max: 12,
      memory_avg: 60e6,
      memory_max: 80e6,
      samples: 5,
    }));
    const hb = await plane.json('POST', '/agent/v1/heartbeat', {
      token: agentA,
      body: { apps: [{ identifier: 'hello', state: 'running', cpu_percent: 3.5, memory_bytes: 64 * 1024 * 1024 }], metrics },
    });
    expect(hb.status).toBe(200);
    const html = await (await page(`/installs/${installA}`, ownerA.token)).text();
    expect(html).toContain('data-chart="cpu" data-points="7"');
    expect(html).toContain('data-chart="memory" data-points="7"');
    expect(html).toContain('preserveAspectRatio="none"');
    expect(html).toMatch(/<path class="chart-line" d="M[\d.,L]+M[\d.,L]+"/); // two runs: a gap of 50 minutes breaks the line
    expect(html).toContain('>3.5%<');
    expect(html).toContain('>64.0 MB<');
    expect(html).toContain('peak 12%');
  });

  it('the limits form shows the limits in force and the host port form the port; the HDA caps the fields', async () => {
    await plane.json('POST', '/agent/v1/heartbeat', { token: agentA, body: { facts: { cpus: 2, memory_bytes: 4 * 1024 ** 3 } } });
    await plane.deps.db.run(sql`UPDATE installs SET limits_json = '{"memory_mb":256}' WHERE id = ${installA}`);
    const html = await (await page(`/installs/${installA}`, ownerA.token)).text();
    const form = (name: string) => html.slice(html.indexOf(`data-form="${name}"`), html.indexOf('</form>', html.indexOf(`data-form="${name}"`)));
    expect(form('limits')).toMatch(/name="cpus"[^>]*max="2"/);
    expect(form('limits')).not.toMatch(/name="cpus"[^>]*value=/);
    expect(form('limits')).toMatch(/name="memory_mb"[^>]*max="4096"[^>]*value="256"/);
    const port = (await plane.json('GET', `/api/installs/${installA}`, { token: ownerA.token })).body.install.host_port;
    expect(form('port')).toMatch(new RegExp(`name="host_port"[^>]*value="${port}"`));
    await plane.deps.db.run(sql`UPDATE installs SET limits_json = '{}' WHERE id = ${installA}`);
  });

  it('draws chart paths with a round top and breaks at gaps', () => {
    expect(niceCeil(0)).toBe(1);
    expect(niceCeil(3.2)).toBe(5);
    expect(niceCeil(12)).toBe(20);
    expect(niceCeil(230)).toBe(250);
    const { line, area } = chartPaths(
      [
        { x: 0, v: 0 },
        { x: 1, v: 10 },
        { x: 10, v: 5 },
      ],
      10,
    );
    expect(line).toBe('M0,60L1,0M10,30L11,30');
    expect(area.match(/Z/g)?.length).toBe(2);
  });

  it('shows tags, prune, a new enrollment command and revoke (behind a dialog) on the HDA page', async () => {
    const html = await (await page(`/hdas/${hdaX}`, ownerA.token)).text();
    expect(html).toContain('<span class="tag-chip">office</span>');
    expect(html).toContain('data-click="prune"');
    expect(html).toContain('data-click="new-enrollment"');
    expect(html).toContain('data-click="revoke"');
    expect(html).toContain('<dialog id="revoke-dialog"');
    const dash = await (await page('/', ownerA.token)).text();
    expect(dash).toContain('<span class="tag-chip">eu</span>');
    expect(dash).toContain('name="tags"');
    const empty = await (await page('/', ownerB.token)).text();
    expect(empty).toMatch(/<div class="grid" id="hda-list" hidden=""><\/div>/);
  });

  it('offers no manage actions for a revoked HDA', async () => {
    const { hdaId } = await enrolledHda(plane, ownerA.token, 'gone', 'gone.example.com');
    expect((await plane.json('POST', `/api/hdas/${hdaId}/revoke`, { token: ownerA.token })).status).toBe(200);
    const html = await (await page(`/hdas/${hdaId}`, ownerA.token)).text();
    expect(html).toContain('Enroll again');
    expect(html).not.toContain('data-click="revoke"');
    expect(html).not.toContain('data-click="prune"');
  });

  it('shows the batch with each HDA, its state and its task', async () => {
    const html = await (await page(`/batches/${batchX}`, ownerA.token)).text();
    expect(html).toContain(`data-batch-id="${batchX}"`);
    expect(html).toMatch(new RegExp(`data-hda-id="${hdaX}" data-item-state="(queued|pending)"`));
    const view = (await plane.json('GET', `/api/batches/${batchX}`, { token: ownerA.token })).body;
    if (view.items[0].task_id) expect(html).toContain(`href="/tasks/${view.items[0].task_id}"`);
  });

  it('asks for a preview before publishing', async () => {
    const html = await (await page('/publish', publisher.token)).text();
    expect(html).toContain('name="intent" value="preview"');
    expect(html).toMatch(/value="publish" class="btn" disabled="" data-off="1"/);
    expect(APP_JS).toContain('/versions/preview');
  });
});
